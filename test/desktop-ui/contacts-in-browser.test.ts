/**
 * Contacts in the UI, in a real browser: Debian's Chromium (playwright-core) drives the real renderer served by two
 * `ferry serve` processes that reach each other through a real relay process.
 *
 * Invariants: a contact added by scanning a picture of the other side's QR code is the right peer; a contact the
 * person marks trusted has its files accepted with no prompt; a renamed contact shows its new name; a blocked contact
 * cannot deliver anything (the sender is told, nothing is written); a removed contact's card is gone.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import QRCode from 'qrcode'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { randomFile, tempDir } from '../helpers/files.ts'
import { fileSha256 } from '../helpers/peers.ts'
import { addByInvite, inviteOf, openSide, SHOTS } from './side.ts'
import type { Side } from './side.ts'

async function menuAction (page: Page, peerName: string, item: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: `More actions for ${peerName}` }).click()
  await page.getByRole('button', { name: item }).click()
}

/** Gives `file` to the send input of `peerId`'s card on `side`'s Peers view. */
async function sendTo (side: Side, peerId: string, file: string): Promise<void> {
  await side.page.getByRole('button', { name: 'Peers', exact: true }).click()
  await side.page.locator(`[data-testid="peer-card"][data-peer-id="${peerId}"]`).getByTestId('send-files-input').setInputFiles(file)
}

describe('contacts in the desktop UI (Chromium, two ferry serve processes)', needsChromium(), () => {
  let browser: Browser
  let alice: Side
  let bob: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-relay-'))
    browser = await launchChromium()
    ;[alice, bob] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])
    // Alice knows Bob from his invite text.
    await addByInvite(alice, await inviteOf(bob))
    await alice.page.locator(`[data-testid="peer-card"][data-peer-id="${bob.peerId}"]`).waitFor({ timeout: 15_000 })
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('adds a contact by scanning a picture of its QR code', async () => {
    const png = join(bob.dataDir, 'alice-qr.png')
    const aliceInvite = await inviteOf(alice)
    await QRCode.toFile(png, aliceInvite, { width: 480 })
    await bob.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await bob.page.getByRole('button', { name: 'Add contact' }).click()
    await bob.page.getByLabel('QR code image').setInputFiles(png)
    // The page decodes the picture and fills the invite field (polled from here: the page's CSP forbids eval).
    const invite = bob.page.getByLabel('Invite')
    for (let i = 0; i < 100 && !(await invite.inputValue()).startsWith('ferry:'); i++) await setTimeout(100)
    assert.equal(await bob.page.getByLabel('Invite').inputValue(), aliceInvite, 'the decoded QR code is Alice\'s invite')
    await bob.page.getByRole('button', { name: 'Add', exact: true }).click()
    const card = bob.page.locator(`[data-testid="peer-card"][data-peer-id="${alice.peerId}"]`)
    await card.waitFor({ timeout: 15_000 })
    assert.match(await card.textContent() ?? '', /Alice/)
    await bob.page.screenshot({ path: join(SHOTS, 'contact-added-by-qr.png'), fullPage: true })
  })

  it('a trusted contact\'s files are accepted without a prompt', async () => {
    await menuAction(bob.page, 'Alice', /^Trust/)
    await bob.page.getByRole('button', { name: 'More actions for Alice' }).click()
    await bob.page.getByRole('button', { name: 'Stop trusting' }).waitFor()
    await bob.page.keyboard.press('Escape')

    const source = join(alice.dataDir, 'trusted.bin')
    await randomFile(source, 256 * 1024)
    await sendTo(alice, bob.peerId, source)
    await bob.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    await bob.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]').waitFor({ timeout: 60_000 })
    assert.equal(await bob.page.getByTestId('incoming-offer').count(), 0, 'no prompt was shown')
    assert.equal(await fileSha256(join(bob.downloadDir, 'trusted.bin')), await fileSha256(source))
  })

  it('a renamed contact shows its new name', async () => {
    await bob.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await menuAction(bob.page, 'Alice', 'Rename…')
    await bob.page.getByLabel('Name', { exact: true }).fill('Alice (laptop)')
    await bob.page.getByRole('button', { name: 'Save' }).click()
    const card = bob.page.locator(`[data-testid="peer-card"][data-peer-id="${alice.peerId}"]`)
    await card.getByText('Alice (laptop)').waitFor({ timeout: 10_000 })
  })

  it('a blocked contact cannot deliver anything, and the sender is told', async () => {
    await menuAction(bob.page, 'Alice (laptop)', 'Block')
    await bob.page.locator(`[data-testid="peer-card"][data-peer-id="${alice.peerId}"]`).getByText(/blocked/i).first().waitFor({ timeout: 10_000 })
    const before = await readdir(bob.downloadDir)

    const source = join(alice.dataDir, 'after-block.bin')
    await randomFile(source, 64 * 1024)
    await sendTo(alice, bob.peerId, source)
    await alice.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const failed = alice.page.locator('[data-testid="transfer"][data-direction="send"][data-state="failed"]')
    await failed.waitFor({ timeout: 90_000 })
    assert.ok((await failed.textContent() ?? '').length > 0)
    await alice.page.screenshot({ path: join(SHOTS, 'send-to-blocking-peer-failed.png'), fullPage: true })
    assert.deepEqual(await readdir(bob.downloadDir), before, 'nothing from a blocked peer was written')
    assert.equal(await bob.page.getByTestId('incoming-offer').count(), 0)
  })

  it('a removed contact\'s card is gone', async () => {
    await bob.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await menuAction(bob.page, 'Alice (laptop)', 'Remove contact…')
    await bob.page.getByRole('button', { name: 'Remove', exact: true }).click()
    await bob.page.locator(`[data-testid="peer-card"][data-peer-id="${alice.peerId}"]`).waitFor({ state: 'detached', timeout: 10_000 })
  })
})
