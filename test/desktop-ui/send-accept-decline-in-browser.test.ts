/**
 * The desktop UI, headless, in a real browser: Debian's Chromium (playwright-core) drives the real Svelte renderer
 * served by two real `ferry serve` processes (A and B) that reach each other through a real relay process.
 *
 * Invariants: a person can add a contact from invite text, send a file by giving it to the contact's card, see the
 * offer on the other side with the right name and size, accept it, and both sides show it completed with the file
 * byte-identical on the receiver's disk; Escape sets an offer aside without declining it; a declined offer shows
 * "Declined" to the sender and writes nothing.
 * Screenshots of every main view are saved under test-output/desktop-ui/ during the run.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { randomFile, tempDir } from '../helpers/files.ts'
import { fileSha256 } from '../helpers/peers.ts'
import { openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

const NAV = ['Peers', 'Transfers', 'History', 'Settings', 'My ID'] as const

describe('desktop UI in Chromium against two ferry serve processes', needsChromium(), () => {
  let browser: Browser
  let a: Side
  let b: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-relay-'))
    browser = await launchChromium()
    ;[a, b] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('adds a contact from invite text, sends a file, the receiver accepts: completed on both, bytes identical', async () => {
    // B's invite, from B's "My ID" view.
    await b.page.getByRole('button', { name: 'My ID', exact: true }).click()
    const inviteText = (await b.page.getByTestId('invite-text').textContent())?.trim() ?? ''
    assert.match(inviteText, /^ferry:/)
    assert.ok(inviteText.includes(b.peerId), 'the invite names B\'s peer ID')
    await shoot(b.page, 'my-id')

    // A adds B as a contact by pasting it.
    await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await shoot(a.page, 'peers-empty')
    await a.page.getByRole('button', { name: 'Add contact' }).click()
    await a.page.getByLabel('Invite').fill(inviteText)
    await a.page.getByRole('button', { name: 'Add', exact: true }).click()
    const card = a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`)
    await card.waitFor({ timeout: 15_000 })
    assert.match(await card.textContent() ?? '', /Bob/)
    await shoot(a.page, 'peers-with-contact')

    // A gives a 1.5 MiB file to B's card (the file picker of the card; a drop goes through the same call).
    const source = join(a.dataDir, 'holiday photo.jpg')
    await randomFile(source, 1536 * 1024)
    await card.getByTestId('send-files-input').setInputFiles(source)

    // B sees the offer: who, the file name and its size.
    const offer = b.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    const offerText = await offer.textContent() ?? ''
    assert.match(offerText, /holiday photo\.jpg/)
    assert.match(offerText, /1\.5 MiB/)
    assert.match(offerText, /Alice/)
    await shoot(b.page, 'incoming-offer')
    await offer.getByRole('button', { name: 'Accept' }).click()

    // Both sides show it completed.
    for (const [side, direction] of [[a, 'send'], [b, 'receive']] as const) {
      await side.page.getByRole('button', { name: 'Transfers', exact: true }).click()
      await side.page.locator(`[data-testid="transfer"][data-direction="${direction}"][data-state="completed"]`).waitFor({ timeout: 60_000 })
    }
    await shoot(a.page, 'transfers-sender')
    await shoot(b.page, 'transfers-receiver')
    assert.deepEqual(await readdir(b.downloadDir), ['holiday photo.jpg'])
    assert.equal(await fileSha256(join(b.downloadDir, 'holiday photo.jpg')), await fileSha256(source))
  })

  it('Escape sets an offer aside undecided; a declined offer shows "Declined" to the sender and writes nothing', async () => {
    const source = join(a.dataDir, 'unwanted.bin')
    await randomFile(source, 64 * 1024)
    await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`).getByTestId('send-files-input').setInputFiles(source)
    const offer = b.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    assert.match(await offer.textContent() ?? '', /unwanted\.bin/)

    // Escape sets the offer aside without deciding: the sender keeps waiting; "Review" brings it back.
    await b.page.keyboard.press('Escape')
    await offer.waitFor({ state: 'detached', timeout: 5_000 })
    const aside = b.page.getByTestId('offer-set-aside')
    await aside.waitFor({ timeout: 5_000 })
    await a.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    await new Promise(resolve => setTimeout(resolve, 1_000))
    assert.equal(await a.page.locator('[data-testid="transfer"][data-direction="send"][data-state="declined"]').count(), 0, 'Escape did not decline')
    await aside.getByRole('button', { name: 'Review' }).click()
    await offer.waitFor({ timeout: 5_000 })
    await offer.getByRole('button', { name: 'Decline' }).click()

    await a.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const declined = a.page.locator('[data-testid="transfer"][data-direction="send"][data-state="declined"]')
    await declined.waitFor({ timeout: 30_000 })
    assert.match(await declined.textContent() ?? '', /Declined/)
    assert.deepEqual(await readdir(b.downloadDir), ['holiday photo.jpg'], 'nothing of the declined offer was written')

    // The remaining main views, for the record.
    for (const side of [a, b]) {
      const who = side === a ? 'sender' : 'receiver'
      for (const view of NAV.filter(v => v === 'History' || v === 'Settings')) {
        await side.page.getByRole('button', { name: view, exact: true }).click()
        await shoot(side.page, `${view.toLowerCase()}-${who}`)
      }
    }
    await a.page.emulateMedia({ colorScheme: 'dark' })
    await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await shoot(a.page, 'peers-dark')
  })
})
