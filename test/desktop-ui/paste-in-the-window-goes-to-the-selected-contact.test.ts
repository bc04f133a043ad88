/**
 * Paste in the window (not on a card), in Chromium through two real `ferry serve` processes and a real relay.
 *
 * Invariants: with several peers and none selected, Ctrl/Cmd+V anywhere in the window opens nothing and sends nothing,
 * and a polite status line says to select a contact first; with a contact selected, the same paste opens that
 * contact's Send text dialog with the clipboard's text, nothing is sent until the person clicks Send, and the text
 * then arrives at the other side exactly as pasted. A text longer than the preview a transfer view carries
 * (`TEXT_PREVIEW_CHARS`) is shown cut, with a note, and "Copy text" still copies all of it (fetched on the click).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Browser } from 'playwright-core'
import { TEXT_PREVIEW_CHARS } from '../../src-main/api/index.ts'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'
import { inviteOf, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('paste in the window (Chromium, two ferry serve processes)', needsChromium(), () => {
  let browser: Browser
  let a: Side
  let b: Side

  /** Adds a contact to Alice by its invite text and waits for its card. */
  async function addContact (invite: string, peerId: string): Promise<void> {
    await a.page.getByRole('button', { name: 'Add contact' }).click()
    await a.page.getByLabel('Invite').fill(invite)
    await a.page.getByRole('button', { name: 'Add', exact: true }).click()
    await a.page.locator(`[data-testid="peer-card"][data-peer-id="${peerId}"]`).waitFor({ timeout: 15_000 })
  }

  /** Puts `text` on Alice's clipboard and presses Ctrl/Cmd+V with the focus on no field or card (the page's body). */
  async function pasteInWindow (text: string): Promise<void> {
    await a.page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`)
    await a.page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()')
    assert.equal(await a.page.evaluate('document.activeElement === document.body'), true, 'nothing focused')
    await a.page.keyboard.press('ControlOrMeta+V')
  }

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-paste-relay-'))
    browser = await launchChromium()
    ;[a, b] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])
    for (const side of [a, b]) await side.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(side.page.url()).origin })
    const inviteText = await inviteOf(b)
    await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await addContact(inviteText, b.peerId)
    // A second contact (never online): with two peers, a paste cannot guess which one is meant.
    const dana = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    await addContact(`ferry:${dana}?name=Dana`, dana)
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('with nothing selected and two contacts: no dialog, nothing sent, a line says to select a contact first', async () => {
    await pasteInWindow('meant for nobody yet')
    await a.page.getByText('please select a contact first').waitFor({ timeout: 5000 })
    assert.equal(await a.page.getByTestId('send-text-dialog').isVisible(), false, 'no dialog opened')
    await shoot(a.page, 'paste-in-window-select-first')
    await new Promise(resolve => setTimeout(resolve, 3000))
    assert.equal(await b.page.getByTestId('incoming-offer').count(), 0, 'Bob was offered nothing')
    await a.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    assert.equal(await a.page.getByTestId('transfer').count(), 0, 'Alice started no transfer')
    await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
  })

  it('with Bob selected: the dialog opens with the text, and after Send it arrives at Bob exactly', async () => {
    const text = `Pasted in the window: café ☕ https://example.org/a b\n${'long line '.repeat(1000)}\nthe end`
    assert.ok(text.length > TEXT_PREVIEW_CHARS)
    const card = a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`)
    await card.getByTestId('peer-select').check()
    await a.page.getByRole('button', { name: 'Transfers', exact: true }).click() // a paste from another view goes to Peers
    await pasteInWindow(text)
    const dialog = a.page.getByTestId('send-text-dialog')
    await dialog.waitFor({ timeout: 10_000 })
    assert.equal(await dialog.getByLabel('Text to send').inputValue(), text)
    await shoot(a.page, 'paste-in-window-dialog')
    await new Promise(resolve => setTimeout(resolve, 1000))
    assert.equal(await b.page.getByTestId('incoming-offer').count(), 0, 'nothing sent before Send is clicked')
    await dialog.getByRole('button', { name: 'Send', exact: true }).click()

    const offer = b.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    await offer.getByRole('button', { name: 'Accept' }).click()
    await b.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const row = b.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]')
    await row.waitFor({ timeout: 60_000 })
    await row.getByTestId('text-truncated').waitFor({ timeout: 5000 })
    const shown = await row.getByTestId('text-snippet').textContent() ?? ''
    assert.ok(shown.length < TEXT_PREVIEW_CHARS + 100 && !shown.includes('the end'), `the row shows only the preview (${shown.length} characters)`)
    await row.getByRole('button', { name: 'Copy text' }).click()
    await b.page.getByText('Copied').waitFor({ timeout: 5000 })
    assert.equal(await b.page.evaluate('navigator.clipboard.readText()'), text)
  })
})
