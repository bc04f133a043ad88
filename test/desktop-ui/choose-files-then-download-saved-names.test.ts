/**
 * The desktop UI in Chromium against two real `ferry serve` processes (A sends, B receives) through a real relay.
 *
 * Invariants: an offer accepted partially in the offer dialog (a file unticked) writes only the files left ticked,
 * and both sides record the unticked one "Skipped"; a received file downloads from B's page with exactly the bytes
 * received, under the name it was saved as; a file received again under a name that exists is saved as
 * `name (1).ext` and the page shows that saved name (and downloads under it); an offer that does not fit in B's
 * download folder as a whole says how much room there is, and only a choice that fits can be accepted (as root: the
 * folder is then a small tmpfs).
 */
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Locator } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { mountTmpfs, randomFile, tempDir, unmount } from '../helpers/files.ts'
import { fileSha256 } from '../helpers/peers.ts'
import { addContact, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('choosing files, downloading them, saved names — in Chromium through ferry serve', needsChromium(), () => {
  let browser: Browser
  let a: Side
  let b: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-relay-'))
    browser = await launchChromium()
    ;[a, b] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])
    // A adds B from B's invite.
    await (await addContact(a, b)).waitFor({ timeout: 15_000 })
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  /** A gives `paths` to B's card; returns B's offer dialog. */
  async function offerToB (paths: string[]): Promise<Locator> {
    await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`).getByTestId('send-files-input').setInputFiles(paths)
    const offer = b.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    return offer
  }

  /** B's newest completed receive, with its file list open. */
  async function receivedRow (): Promise<Locator> {
    await b.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const row = b.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]').first()
    await row.waitFor({ timeout: 60_000 })
    const toggle = row.getByRole('button', { name: /^(Show|Hide) files$/ })
    if (await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click()
    return row
  }

  it('an offer accepted partially writes only the files left ticked; both sides record the other skipped; the sender says 2 of 3 accepted', async () => {
    const names = ['photo.jpg', 'huge-video.bin', 'notes.txt']
    for (const [i, name] of names.entries()) await randomFile(join(a.dataDir, name), (i + 1) * 200 * 1024)
    const offer = await offerToB(names.map(n => join(a.dataDir, n)))
    await offer.getByRole('checkbox', { name: 'Accept huge-video.bin' }).uncheck()
    assert.match(await offer.textContent() ?? '', /2 of 3 files chosen/)
    await shoot(b.page, 'offer-partial')
    await offer.getByRole('button', { name: 'Accept 2 files' }).click()

    const row = await receivedRow()
    assert.deepEqual((await readdir(b.downloadDir)).sort(), ['notes.txt', 'photo.jpg'])
    for (const name of ['notes.txt', 'photo.jpg']) assert.equal(await fileSha256(join(b.downloadDir, name)), await fileSha256(join(a.dataDir, name)))
    assert.match(await row.textContent() ?? '', /huge-video\.bin\s*Skipped/)
    await a.page.getByRole('button', { name: 'Transfers', exact: true }).click()
    const sent = a.page.locator('[data-testid="transfer"][data-direction="send"][data-state="completed"]').first()
    await sent.waitFor({ timeout: 30_000 })
    assert.match(await sent.textContent() ?? '', /2 of 3 files accepted/, 'the sender says what the receiver took')
    await sent.getByRole('button', { name: 'Show files' }).click()
    await sent.getByText('Skipped').waitFor({ timeout: 10_000 })
    await shoot(b.page, 'received-partial')
  })

  it('a received file downloads from the page with the bytes received, under its saved name', async () => {
    const row = await receivedRow()
    const [download] = await Promise.all([
      b.page.waitForEvent('download', { timeout: 30_000 }),
      row.getByRole('link', { name: 'Download photo.jpg' }).click()
    ])
    assert.equal(download.suggestedFilename(), 'photo.jpg')
    const path = await download.path()
    assert.deepEqual(await readFile(path), await readFile(join(b.downloadDir, 'photo.jpg')))
  })

  it('a file received under a name that exists is shown, and downloads, with the name it was saved as', async () => {
    const offer = await offerToB([join(a.dataDir, 'photo.jpg')])
    await offer.getByRole('button', { name: 'Accept', exact: true }).click()
    const row = await receivedRow()
    await row.getByTestId('saved-name').filter({ hasText: 'saved as photo (1).jpg' }).waitFor({ timeout: 15_000 })
    assert.ok((await readdir(b.downloadDir)).includes('photo (1).jpg'))
    await shoot(b.page, 'received-renamed')
    const [download] = await Promise.all([
      b.page.waitForEvent('download', { timeout: 30_000 }),
      row.getByRole('link', { name: 'Download photo (1).jpg' }).click()
    ])
    assert.equal(download.suggestedFilename(), 'photo (1).jpg')
    assert.equal(await fileSha256(await download.path()), await fileSha256(join(a.dataDir, 'photo.jpg')))
    // History lists it with its saved name too.
    await b.page.getByRole('button', { name: 'History', exact: true }).click()
    await shoot(b.page, 'history-renamed')
  })

  it('an offer that does not fit says how much room there is, and only a choice that fits can be accepted', { skip: process.getuid?.() === 0 ? false : 'needs root to mount a small tmpfs' }, async () => {
    // Over B's download folder (the files received above are hidden until the unmount): the last test of the file.
    const room = b.downloadDir
    await mountTmpfs(room, 4 * 1024 * 1024)
    try {
      for (const [name, bytes] of [['two.bin', 2 * 1024 * 1024], ['three.bin', 3 * 1024 * 1024]] as const) await randomFile(join(a.dataDir, name), bytes)
      const completed = b.page.locator('[data-testid="transfer"][data-direction="receive"][data-state="completed"]')
      await b.page.getByRole('button', { name: 'Transfers', exact: true }).click()
      const completedBefore = await completed.count()
      const offer = await offerToB([join(a.dataDir, 'two.bin'), join(a.dataDir, 'three.bin')])
      const note = offer.getByTestId('offer-no-room')
      await note.waitFor({ timeout: 10_000 })
      assert.match(await note.textContent() ?? '', /room for [\d.]+ MiB/)
      assert.equal(await offer.getByRole('button', { name: 'Accept', exact: true }).isDisabled(), true, 'accepting all of it cannot be pressed')
      await offer.getByRole('checkbox', { name: 'Accept three.bin' }).uncheck()
      assert.equal(await offer.getByRole('button', { name: 'Accept all' }).isDisabled(), true)
      await shoot(b.page, 'offer-no-room')
      await offer.getByRole('button', { name: 'Accept 1 file' }).click()
      await b.page.getByRole('button', { name: 'Transfers', exact: true }).click()
      // This receive's row, not one of the earlier tests' (they are completed too).
      await completed.nth(completedBefore).waitFor({ timeout: 60_000 })
      assert.deepEqual((await readdir(room)).filter(n => !n.startsWith('.')), ['two.bin'])
      assert.equal(await fileSha256(join(room, 'two.bin')), await fileSha256(join(a.dataDir, 'two.bin')))
    } finally {
      await unmount(room)
    }
  })
})
