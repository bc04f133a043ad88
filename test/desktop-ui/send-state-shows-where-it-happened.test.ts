/**
 * A send's state is shown where the person sent from, in a real Chromium (playwright-core) against two real
 * `ferry serve` processes reaching each other through a real relay process, one of which is then stopped.
 *
 * Invariants:
 * - files dropped on a contact that is offline (seen before, not now) wait in the outbox, said on that contact's card
 *   ("Waiting for Bob to come online") — the drop is a real browser drag of a real file (Chrome DevTools Protocol
 *   `Input.dispatchDragEvent`), so the browser's own drop-effect rules apply;
 * - a send that fails shows its failed state, with the reason, on the card of the peer it was sent to (and in
 *   Transfers), and no "Sending…" toast is left beside it: here a queued file whose uploaded copy was deleted before
 *   Bob came back, reported when his Ferry starts again (`outbox-stale`, the file is gone) and never sent.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Locator } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { readdir, unlink } from 'node:fs/promises'
import { randomFile, tempDir } from '../helpers/files.ts'
import { assertFitsPhoneAndPassesAxe } from './page-checks.ts'
import { addContact, dropFile, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('a send\'s state shows where the person sent from (Chromium, two ferry serve processes)', needsChromium(), () => {
  let browser: Browser
  let alice: Side
  let bob: Side
  let bobCard: Locator
  let relayAddr: string

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-state-relay-'))
    relayAddr = relay.addr
    browser = await launchChromium()
    ;[alice, bob] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])
    bobCard = await addContact(alice, bob)
    // Seen online once (so it has a "last seen"), then Bob's Ferry stops: Alice's page shows him offline.
    await bobCard.getByText('Online', { exact: true }).waitFor({ timeout: 30_000 })
    bob.serve.child.kill('SIGTERM')
    await bob.serve.exitCode(30_000)
    await bobCard.getByText(/^Last seen/).waitFor({ timeout: 60_000 })
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('files dropped on an offline contact wait in the outbox, said on its card', async () => {
    const source = join(alice.dataDir, 'dropped.bin')
    await randomFile(source, 16 * 1024)
    await alice.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await dropFile(alice, bobCard, source)
    await bobCard.getByTestId('peer-outbox').filter({ hasText: 'Waiting for Bob to come online' }).waitFor({ timeout: 10_000 })
    assert.equal(await bobCard.getByRole('alert').count(), 0, 'not refused')
    await shoot(alice.page, 'drop-on-offline-contact')
    await assertFitsPhoneAndPassesAxe(alice.page, 'drop-on-offline-contact')
    // Taken back, so that only the next test's send is waiting when Bob returns.
    await alice.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    await alice.page.getByRole('button', { name: 'Cancel the queued send to Bob' }).click()
    await alice.page.getByTestId('outbox-entry').waitFor({ state: 'detached', timeout: 10_000 })
  })

  it('a failed send shows its failed state on the peer\'s card, with its reason and no "Sending…" toast left', async () => {
    const source = join(alice.dataDir, 'to-offline.bin')
    await randomFile(source, 64 * 1024)
    await alice.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await bobCard.getByTestId('send-files-input').setInputFiles(source)
    await bobCard.getByTestId('peer-outbox').waitFor({ timeout: 30_000 })
    // In a browser the file is uploaded when it is given: the copy the outbox holds is in the upload folder.
    const copies = (await readdir(join(alice.dataDir, 'uploads'), { recursive: true })).filter(p => p.endsWith('to-offline.bin'))
    assert.equal(copies.length, 1, `one uploaded copy: ${copies.join(', ')}`)
    await unlink(join(alice.dataDir, 'uploads', copies[0] ?? ''))
    bob = await openSide(browser, relayAddr, 'Bob', { dataDir: bob.dataDir })
    const state = bobCard.getByTestId('peer-transfer-state')
    await state.filter({ hasText: /failed/i }).waitFor({ timeout: 90_000 })
    assert.match(await state.textContent() ?? '', /gone/)
    const toasts = await alice.page.locator('.toasts').textContent() ?? ''
    assert.doesNotMatch(toasts, /Sending/, `no "Sending…" toast beside the failed send: "${toasts}"`)
    await alice.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    await alice.page.locator('[data-testid="transfer"][data-direction="send"][data-state="failed"]').waitFor({ timeout: 10_000 })
    assert.doesNotMatch(await alice.page.locator('.toasts').textContent() ?? '', /Sending/)
    assert.equal(await bob.page.getByTestId('incoming-offer').count(), 0, 'nothing was offered to Bob')
    await alice.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await shoot(alice.page, 'failed-send-on-peer-card')
    await assertFitsPhoneAndPassesAxe(alice.page, 'failed-send-on-peer-card')
  })
})
