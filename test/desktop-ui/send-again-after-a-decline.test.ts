/**
 * "Send again" in the page, in a real Chromium (playwright-core) against two real `ferry serve` processes that reach
 * each other through a real relay process.
 *
 * Invariant: a send the receiver declined shows "Send again" in the sender's Transfers; clicking it offers the same
 * text again as a new transfer, which the receiver accepts and both sides show completed with the same text. (A
 * resumable send shows "Resume" instead: test/app/send-again-resumes-or-starts-afresh.test.ts holds that path.)
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'
import { addContact, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('Send again in the page (Chromium, two ferry serve processes)', needsChromium(), () => {
  let browser: Browser
  let a: Side
  let b: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-again-relay-'))
    browser = await launchChromium()
    ;[a, b] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])
    await addContact(a, b)
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('a declined send is offered again by "Send again", accepted, and completes on both sides', async () => {
    const text = 'The slides are in the shared folder.'
    const card = a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`)
    await card.getByRole('button', { name: /^Send text/ }).click()
    const dialog = a.page.getByTestId('send-text-dialog')
    await dialog.getByLabel('Text to send').fill(text)
    await dialog.getByRole('button', { name: 'Send', exact: true }).click()
    const offer = b.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    await offer.getByRole('button', { name: 'Decline' }).click()

    await a.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const declined = a.page.locator('[data-testid="transfer"][data-direction="send"][data-state="declined"]')
    await declined.waitFor({ timeout: 60_000 })
    await shoot(a.page, 'send-again-offered')
    await declined.getByTestId('send-again').click()

    await offer.waitFor({ timeout: 60_000 })
    assert.match(await offer.getByTestId('text-snippet').textContent() ?? '', /slides are in the shared folder/)
    await offer.getByRole('button', { name: 'Accept' }).click()
    await a.page.locator('[data-testid="transfer"][data-direction="send"][data-state="completed"]').waitFor({ timeout: 60_000 })
    await b.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const received = b.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]')
    await received.waitFor({ timeout: 60_000 })
    assert.match(await received.getByTestId('text-snippet').textContent() ?? '', /slides are in the shared folder/)
    assert.equal(await a.page.locator('[data-testid="transfer"][data-direction="send"]').count(), 2, 'the declined send and the new one, each in its own row')
  })
})
