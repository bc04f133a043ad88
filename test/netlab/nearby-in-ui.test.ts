/**
 * Invariant: on a LAN with no relay, the desktop UI lists the other Ferry device under "Nearby" (mDNS), "Add as
 * contact" makes it a contact, and files given to its card arrive directly over TCP, byte-identical, after the other
 * side accepts.
 *
 * Two `ferry serve` processes run in two network namespaces joined by a veth pair (mDNS on only there: no multicast
 * reaches the machine's real interfaces). Each page is opened by a Chromium started inside the same namespace (a
 * wrapper runs it under `ip netns exec`; playwright-core drives it over a pipe, so the browser reaches the server's
 * 127.0.0.1). Needs root, iproute2 and Chromium; skipped with the reason without them — except in CI (`CI=true`),
 * where it fails.
 */
import assert from 'node:assert/strict'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH, needsChromium, TEST_OUTPUT_DIR } from '../helpers/browser.ts'
import { ferry, stopAll } from '../helpers/cli.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256 } from '../helpers/peers.ts'
import { buildVethLan, missingPrerequisite, removeLeftovers } from './netns.ts'

const missing = await missingPrerequisite(['ip'])
const inCI = process.env.CI === 'true'
const LAN_ENV = { FERRY_MDNS: 'on', FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none' }

/** A Chromium whose process lives in namespace `ns`. */
async function chromiumIn (ns: string, dir: string): Promise<Browser> {
  const wrapper = join(dir, `chromium-${ns}.sh`)
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_PATH} "$@"\n`)
  await chmod(wrapper, 0o755)
  return chromium.launch({ executablePath: wrapper, args: CHROMIUM_ARGS, headless: true })
}

const skip = missing != null ? `skipped: ${missing}` : needsChromium().skip

if (skip != null && inCI) {
  describe('nearby peers in the UI (network namespaces)', () => {
    it('the LAN namespaces and Chromium are available in CI', () => assert.fail(`CI=true but ${skip}`))
  })
} else {
  describe('nearby peers in the UI (network namespaces)', { skip: skip ?? false }, () => {
    let dir: string
    let lan: Awaited<ReturnType<typeof buildVethLan>>
    const browsers: Browser[] = []

    before(async () => {
      dir = await tempDir('ferry-nearby-ui-')
      await removeLeftovers()
      lan = await buildVethLan('ui', '10.97.0')
    })

    after(async () => {
      await Promise.all(browsers.map(async b => b.close()))
      await stopAll()
      await lan?.teardown()
      await rm(dir, { recursive: true, force: true })
    })

    async function open (ns: string, name: string): Promise<{ page: Page, peerId: string, out: string }> {
      const out = join(dir, `${name}-out`)
      const serve = ferry(['serve', '--data-dir', join(dir, name), '--out', out], LAN_ENV, { netns: ns })
      const ready = await serve.waitFor('ready', 60_000)
      const browser = await chromiumIn(ns, dir)
      browsers.push(browser)
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
      page.on('pageerror', err => { throw err })
      await page.goto(String(ready.url))
      return { page, peerId: String(ready.peerId), out }
    }

    it('the other device appears under Nearby, is added as a contact, and receives a file over TCP', async () => {
      const [a, b] = await Promise.all([open(lan.a, 'a'), open(lan.b, 'b')])
      const card = a.page.locator(`[data-testid="peer-card"][data-peer-id="${b.peerId}"]`)
      await card.waitFor({ timeout: 30_000 })
      assert.match(await card.textContent() ?? '', /Nearby/)
      await a.page.screenshot({ path: join(TEST_OUTPUT_DIR, 'desktop-ui', 'peers-nearby.png'), fullPage: true })
      await card.getByRole('button', { name: 'Add as contact' }).click()
      await card.getByRole('button', { name: 'Add as contact' }).waitFor({ state: 'detached', timeout: 10_000 })

      const source = join(dir, 'lan photo.jpg')
      await randomFile(source, 2 * 1048576)
      await card.getByTestId('send-files-input').setInputFiles(source)
      const offer = b.page.getByTestId('incoming-offer')
      await offer.waitFor({ timeout: 60_000 })
      await offer.getByRole('button', { name: 'Accept' }).click()

      await a.page.getByRole('button', { name: 'Transfers', exact: true }).click()
      const sent = a.page.locator('[data-testid="transfer"][data-direction="send"][data-state="completed"]')
      await sent.waitFor({ timeout: 60_000 })
      assert.match(await sent.textContent() ?? '', /via tcp/, 'on the LAN the bytes go directly over TCP')
      assert.equal(await fileSha256(join(b.out, 'lan photo.jpg')), await fileSha256(source))
    })
  })
}
