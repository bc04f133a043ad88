/**
 * Sending to several peers at once, in a real Chromium (playwright-core) against three real `ferry serve` processes
 * (Alice, Bob, Carol) that reach each other through a real relay process.
 *
 * Invariant: a folder dropped on one of two selected contacts (the checkbox on each card) is offered to both — a
 * transfer each, each accepted on its own side — and arrives at both with every file byte-identical, its structure
 * kept; Alice's Transfers show one completed send per recipient.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { makeTree, tempDir, treeHashes } from '../helpers/files.ts'
import { addContact, dropFile, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('a folder dropped on two selected contacts (Chromium, three ferry serve processes)', needsChromium(), () => {
  let browser: Browser
  let alice: Side
  let bob: Side
  let carol: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-many-relay-'))
    browser = await launchChromium()
    ;[alice, bob, carol] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob'), openSide(browser, relay.addr, 'Carol')])
    await alice.page.getByRole('button', { name: 'Peers', exact: true }).click()
    for (const friend of [bob, carol]) {
      await (await addContact(alice, friend)).waitFor({ timeout: 15_000 })
    }
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('arrives at both, every file verified, a completed send per recipient', async () => {
    const folder = join(alice.dataDir, 'trip')
    await makeTree(folder, 3 * 1024 * 1024 + 17)
    const bobCard = alice.page.locator(`[data-testid="peer-card"][data-peer-id="${bob.peerId}"]`)
    const carolCard = alice.page.locator(`[data-testid="peer-card"][data-peer-id="${carol.peerId}"]`)
    await bobCard.getByTestId('peer-select').check()
    await carolCard.getByTestId('peer-select').check()
    await alice.page.getByTestId('selection-bar').filter({ hasText: '2 selected' }).waitFor()
    await shoot(alice.page, 'two-contacts-selected')
    await dropFile(alice, bobCard, folder)

    for (const friend of [bob, carol]) {
      const offer = friend.page.getByTestId('incoming-offer')
      await offer.waitFor({ timeout: 60_000 })
      assert.match(await offer.textContent() ?? '', /Alice/)
      await offer.getByRole('button', { name: 'Accept' }).click()
    }
    for (const friend of [bob, carol]) {
      await friend.page.getByRole('button', { name: 'Transfers', exact: true }).click()
      await friend.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]').waitFor({ timeout: 90_000 })
    }
    await alice.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const sends = alice.page.locator('[data-testid="transfer"][data-direction="send"][data-state="completed"]')
    await sends.nth(1).waitFor({ timeout: 30_000 })
    assert.equal(await sends.count(), 2)
    await shoot(alice.page, 'two-sends-completed')

    const sent = await treeHashes(folder)
    assert.equal(sent.size, 5)
    for (const friend of [bob, carol]) {
      assert.deepEqual(await treeHashes(join(friend.downloadDir, 'trip')), sent, `the folder at ${friend === bob ? 'Bob' : 'Carol'}`)
    }
  })
})
