/**
 * One side of a UI test: a real `ferry serve` process (own data and download folders, the test's relay, no ICE
 * servers) and a Chromium page on the URL it printed, with the display name set through Settings.
 */
import { join } from 'node:path'
import assert from 'node:assert/strict'
import type { Browser, Locator, Page } from 'playwright-core'
import { TEST_OUTPUT_DIR } from '../helpers/browser.ts'
import { ferry } from '../helpers/cli.ts'
import type { FerryProcess, SpawnOptions } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'

/** Where the UI tests' screenshots go. */
export const SHOTS = join(TEST_OUTPUT_DIR, 'desktop-ui')

export interface Side { serve: FerryProcess, page: Page, dataDir: string, downloadDir: string, peerId: string }

/**
 * How `openSide` starts `ferry serve`: `keepDefaultName` leaves the name Ferry made up (the first-run state); `dataDir`
 * starts it on an existing data folder (a side started again after a stop).
 */
export interface SideOptions { env?: NodeJS.ProcessEnv, spawn?: SpawnOptions, keepDefaultName?: boolean, dataDir?: string }

/**
 * Starts `ferry serve`, opens its page and sets the display name (`name`; also the data folder's prefix), returning
 * once the name is in effect; the page's errors fail the test. Stopped by `stopAll()` and `browser.close()`.
 */
export async function openSide (browser: Browser, relayAddr: string, name: string, options: SideOptions = {}): Promise<Side> {
  const dataDir = options.dataDir ?? await tempDir(`ferry-ui-${name}-`)
  const downloadDir = join(dataDir, 'downloads')
  const serve = ferry(['serve', '--data-dir', dataDir, '--out', downloadDir, '--relay', relayAddr, '--ice-servers', 'none', '--port', '0'], options.env, options.spawn)
  const ready = await serve.waitFor('ready', 60_000)
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
  page.on('pageerror', err => { throw err })
  await page.goto(String(ready.url))
  if (options.keepDefaultName === true) {
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 15_000 })
    return { serve, page, dataDir, downloadDir, peerId: String(ready.peerId) }
  }
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  await page.getByLabel(/display name/i).fill(name)
  await page.getByLabel(/display name/i).press('Enter')
  // Saved and applied once the sidebar (this peer's identity view, which the invite also comes from) shows it.
  await page.getByTitle(String(ready.peerId), { exact: true }).filter({ hasText: name }).waitFor({ timeout: 15_000 })
  return { serve, page, dataDir, downloadDir, peerId: String(ready.peerId) }
}

/** `side`'s invite (`ferry:…`), read from its My ID view. */
export async function inviteOf (side: Side): Promise<string> {
  await side.page.getByRole('button', { name: 'My ID', exact: true }).click()
  return (await side.page.getByTestId('invite-text').textContent())?.trim() ?? ''
}

/** Adds a contact on `side` by pasting `invite` into Peers → Add contact (returns once the dialog's Add is clicked). */
export async function addByInvite (side: Side, invite: string): Promise<void> {
  await side.page.getByRole('button', { name: 'Peers', exact: true }).click()
  await side.page.getByRole('button', { name: 'Add contact' }).click()
  await side.page.getByLabel('Invite').fill(invite)
  await side.page.getByRole('button', { name: 'Add', exact: true }).click()
}

/** `from` adds `to` from `to`'s invite; returns `to`'s peer card on `from`'s page (it may not be drawn yet). */
export async function addContact (from: Side, to: Side): Promise<Locator> {
  await addByInvite(from, await inviteOf(to))
  return from.page.locator(`[data-testid="peer-card"][data-peer-id="${to.peerId}"]`)
}

/** Saves a full-page screenshot as `test-output/desktop-ui/<name>.png`. */
export async function shoot (page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

/**
 * Drags the file or folder at `path` from outside the page onto the middle of `target`, and drops it there: a real
 * browser drag (Chrome DevTools Protocol `Input.dispatchDragEvent`), so the browser's own drop-effect rules apply.
 */
export async function dropFile (side: Side, target: Locator, path: string): Promise<void> {
  const box = await target.boundingBox()
  assert.ok(box != null, 'the drop target is on screen')
  const cdp = await side.page.context().newCDPSession(side.page)
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  // dragOperationsMask 1: the file manager offers a copy.
  const data = { items: [], files: [path], dragOperationsMask: 1 }
  try {
    await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', ...at, data })
    await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', ...at, data })
    await cdp.send('Input.dispatchDragEvent', { type: 'drop', ...at, data })
  } finally {
    await cdp.detach()
  }
}
