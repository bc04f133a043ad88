/**
 * The outbox in the desktop UI (Chromium through two real `ferry serve` processes and a real relay process).
 *
 * Invariants: a file given to a contact who is offline waits in the outbox — Transfers shows "Waiting for Bob to
 * come online", and so does Bob's card — and is still there after Alice's `ferry serve` is stopped and started again
 * on the same data folder; once Bob's `ferry serve` starts (same data folder, same peer ID), Bob is offered it, accepts,
 * and it completes on both sides with the entry's ID, byte-identical; the outbox is empty after. A queued send the
 * person cancels leaves the list and never reaches Bob.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Locator } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { randomFile, tempDir } from '../helpers/files.ts'
import { assertFitsPhoneAndPassesAxe } from './page-checks.ts'
import { addContact, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('the outbox in Chromium: waiting for Bob, across a restart of the sender, delivered when Bob starts', needsChromium(), () => {
  let browser: Browser
  let relayAddr: string
  let alice: Side
  let bob: Side
  let bobCard: Locator
  let queuedId: string
  let source: string

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-outbox-relay-'))
    relayAddr = relay.addr
    browser = await launchChromium()
    ;[alice, bob] = await Promise.all([openSide(browser, relayAddr, 'Alice'), openSide(browser, relayAddr, 'Bob')])
    bobCard = await addContact(alice, bob)
    await bobCard.getByText('Online', { exact: true }).waitFor({ timeout: 30_000 })
    bob.serve.child.kill('SIGTERM')
    await bob.serve.exitCode(30_000)
    await bob.page.close()
    await bobCard.getByText(/^Last seen/).waitFor({ timeout: 60_000 })
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('a file given to Bob while he is offline waits: "Waiting for Bob to come online"', async () => {
    source = join(alice.dataDir, 'for bob.bin')
    await randomFile(source, 1024 * 1024 + 333)
    await bobCard.getByTestId('send-files-input').setInputFiles(source)
    await bobCard.getByTestId('peer-outbox').filter({ hasText: 'Waiting for Bob to come online' }).waitFor({ timeout: 30_000 })
    await alice.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const entry = alice.page.getByTestId('outbox-entry')
    await entry.waitFor({ timeout: 10_000 })
    assert.match(await entry.textContent() ?? '', /Waiting for Bob to come online/)
    assert.match(await entry.textContent() ?? '', /for bob\.bin/)
    queuedId = await entry.getAttribute('data-outbox-id') ?? ''
    assert.match(queuedId, /^[0-9a-f-]{36}$/)
    await shoot(alice.page, 'outbox-waiting')
    await assertFitsPhoneAndPassesAxe(alice.page, 'outbox-waiting')
  })

  it('a queued send cancelled in the page leaves the list', async () => {
    const other = join(alice.dataDir, 'not for bob.txt')
    await randomFile(other, 1000)
    await alice.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await bobCard.getByTestId('send-files-input').setInputFiles(other)
    await alice.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const second = alice.page.getByTestId('outbox-entry').filter({ hasText: 'not for bob.txt' })
    await second.waitFor({ timeout: 30_000 })
    await second.getByRole('button', { name: 'Cancel the queued send to Bob' }).click()
    await second.waitFor({ state: 'detached', timeout: 10_000 })
    assert.equal(await alice.page.getByTestId('outbox-entry').count(), 1)
  })

  it('still waiting after Alice\'s ferry serve is stopped and started again on the same data folder', async () => {
    alice.serve.child.kill('SIGTERM')
    await alice.serve.exitCode(30_000)
    await alice.page.close()
    alice = await openSide(browser, relayAddr, 'Alice', { dataDir: alice.dataDir })
    await alice.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const entry = alice.page.locator(`[data-testid="outbox-entry"][data-outbox-id="${queuedId}"]`)
    await entry.waitFor({ timeout: 15_000 })
    assert.match(await entry.textContent() ?? '', /Waiting for Bob to come online/)
    assert.equal(await alice.page.getByTestId('outbox-entry').count(), 1)
  })

  it('once Bob\'s ferry serve starts he is offered it, accepts, and it completes on both sides', async () => {
    bob = await openSide(browser, relayAddr, 'Bob', { dataDir: bob.dataDir })
    const offer = bob.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 90_000 })
    assert.match(await offer.textContent() ?? '', /for bob\.bin/)
    assert.doesNotMatch(await offer.textContent() ?? '', /not for bob/)
    await offer.getByRole('button', { name: 'Accept' }).click()
    await alice.page.locator(`[data-testid="transfer"][data-transfer-id="${queuedId}"][data-state="completed"]`).waitFor({ timeout: 60_000 })
    await bob.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    await bob.page.locator(`[data-testid="transfer"][data-transfer-id="${queuedId}"][data-state="completed"]`).waitFor({ timeout: 30_000 })
    assert.equal(await alice.page.getByTestId('outbox-entry').count(), 0)
    assert.deepEqual(await readdir(bob.downloadDir), ['for bob.bin'])
    assert.deepEqual(await readFile(join(bob.downloadDir, 'for bob.bin')), await readFile(source))
    await shoot(alice.page, 'outbox-delivered')
  })
})
