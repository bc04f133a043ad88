/**
 * Text snippets in the desktop UI (Chromium through two `ferry serve` processes and a real relay).
 *
 * Invariants: Ctrl/Cmd+V on a contact's card opens the text dialog with the clipboard's text, and nothing is sent
 * until the person clicks Send; the receiver sees the text in the offer with its control and bidi characters escaped
 * (`\u202e`, never the raw character), accepts, finds it in Transfers, and "Copy text" puts the text — exactly as
 * sent — on its clipboard; nothing is written to its download folder. A single http(s) URL gets an "Open link" that is
 * a plain link with rel="noopener noreferrer" (opened only by a click).
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'
import { addContact, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('text snippets in Chromium: paste on a contact card, shown escaped, copied', needsChromium(), () => {
  let browser: Browser
  let a: Side
  let b: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-relay-'))
    browser = await launchChromium()
    ;[a, b] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])
    for (const side of [a, b]) await side.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(side.page.url()).origin })
    await (await addContact(a, b)).waitFor({ timeout: 15_000 })
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('pasted on a card, confirmed, shown escaped on the other side, accepted, copied exactly; no file written', async () => {
    const text = 'Invoice \u202efdp.exe\u202c total\u0007: 42 €\nsecond line'
    await a.page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`)
    const card = a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`)
    await card.focus()
    await a.page.keyboard.press('ControlOrMeta+V')
    const dialog = a.page.getByTestId('send-text-dialog')
    await dialog.waitFor({ timeout: 10_000 })
    assert.equal(await dialog.getByLabel('Text to send').inputValue(), text)
    await shoot(a.page, 'send-text-pasted')
    await dialog.getByRole('button', { name: 'Send', exact: true }).click()

    const offer = b.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    const shown = await offer.getByTestId('text-snippet').textContent() ?? ''
    assert.ok(shown.includes('\\u202efdp.exe\\u202c'), `bidi characters escaped: ${shown}`)
    assert.ok(shown.includes('\\u0007'), 'a control character escaped')
    assert.ok(!shown.includes('\u202e') && !shown.includes('\u0007'), 'no raw control or bidi character on the page')
    assert.equal(await offer.getByRole('link', { name: 'Open link' }).count(), 0, 'not a single URL: no Open link')
    await shoot(b.page, 'text-offer')
    await offer.getByRole('button', { name: 'Accept' }).click()

    await b.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const row = b.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]')
    await row.waitFor({ timeout: 60_000 })
    await b.page.evaluate('navigator.clipboard.writeText("something else")')
    await row.getByRole('button', { name: 'Copy text' }).click()
    await b.page.getByText('Copied').waitFor({ timeout: 5000 })
    assert.equal(await b.page.evaluate('navigator.clipboard.readText()'), text)
    await shoot(b.page, 'text-transfer-copied')
    assert.deepEqual(await readdir(b.downloadDir).catch(() => []), [])
  })

  it('a single https URL sent from "Send text…" gets an Open link with rel="noopener noreferrer", opened only on a click', async () => {
    const url = 'https://example.org/meeting?id=42'
    const card = a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`)
    await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await card.getByRole('button', { name: 'Send text to Bob' }).click()
    const dialog = a.page.getByTestId('send-text-dialog')
    await dialog.getByLabel('Text to send').fill(url)
    await dialog.getByRole('button', { name: 'Send', exact: true }).click()
    const offer = b.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    const link = offer.getByRole('link', { name: 'Open link' })
    assert.equal(await link.getAttribute('href'), url)
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer')
    assert.equal(b.page.context().pages().length, 1, 'nothing was opened by itself')
    await offer.getByRole('button', { name: 'Accept' }).click()
    await b.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]').nth(1).waitFor({ timeout: 60_000 })
  })
})
