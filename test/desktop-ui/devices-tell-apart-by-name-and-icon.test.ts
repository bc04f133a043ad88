/**
 * Two machines tell apart by name and icon, in a real Chromium (playwright-core) against two real `ferry serve`
 * processes reaching each other through a real relay process. Each runs as a machine of its own: its own host name
 * (a UTS namespace), and one of them with a battery (a mount namespace whose `/sys/class/power_supply` lists one) and
 * a display, the other with no display. Needs root (namespaces) and `unshare`; skipped otherwise.
 *
 * Invariants:
 * - with no name chosen, each side is named `<user> on <host> (Linux)` and offers to change the name on first run;
 *   the one with no display under `ferry serve` is a server, the one with a battery a laptop (My ID shows both);
 * - after adding each other by invite, each card shows the other's name and icon (the invite carries both);
 * - a name saved from the first-run hint replaces the default and the hint goes;
 * - a kind of device changed in Settings reaches a contact with the next offer.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Locator } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { randomFile, tempDir } from '../helpers/files.ts'
import { assertFitsPhoneAndPassesAxe } from './page-checks.ts'
import { addByInvite, inviteOf, openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

const POWER = '/sys/class/power_supply'

/** Runs `ferry serve` as a machine named `host`, with a battery when asked (see the module). */
function machine (host: string, battery: boolean): string[] {
  const steps = [`hostname ${host}`]
  if (battery) steps.push(`mount -t tmpfs ferry-power ${POWER}`, `mkdir ${POWER}/BAT0`, `echo Battery > ${POWER}/BAT0/type`)
  return ['unshare', '--uts', '--mount', '--', 'sh', '-c', `${steps.join(' && ')} && exec "$@"`, 'sh']
}

function needsNamespaces (): { skip?: string } {
  const chromium = needsChromium()
  if (chromium.skip != null) return chromium
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/unshare')) return { skip: 'needs root and unshare (a host name and power supplies of its own per side)' }
  return {}
}

function cardOf (on: Side, of: Side): Locator {
  return on.page.locator(`[data-testid="peer-card"][data-peer-id="${of.peerId}"]`)
}

describe('two machines tell apart by name and icon (Chromium, two ferry serve processes)', needsNamespaces(), () => {
  const user = userInfo().username
  let browser: Browser
  let alpha: Side
  let beta: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-devices-relay-'))
    browser = await launchChromium()
    ;[alpha, beta] = await Promise.all([
      openSide(browser, relay.addr, 'alpha', { keepDefaultName: true, env: { DISPLAY: '', WAYLAND_DISPLAY: '' }, spawn: { wrap: machine('alpha', false) } }),
      openSide(browser, relay.addr, 'beta', { keepDefaultName: true, env: { DISPLAY: ':0', WAYLAND_DISPLAY: '' }, spawn: { wrap: machine('beta', true) } })
    ])
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('each side has a default name of its own and its kind of device, and offers to change the name', async () => {
    for (const [side, host, kind] of [[alpha, 'alpha', 'server'], [beta, 'beta', 'laptop']] as const) {
      const hint = side.page.getByTestId('name-hint')
      await hint.waitFor({ timeout: 15_000 })
      assert.equal(await hint.getByLabel('Device name').inputValue(), `${user} on ${host} (Linux)`)
      await side.page.getByRole('button', { name: 'My ID', exact: true }).click()
      assert.equal(await side.page.getByTestId('my-name').textContent(), `${user} on ${host} (Linux)`)
      assert.equal(await side.page.locator('main [data-device]').first().getAttribute('data-device'), kind)
      await side.page.getByRole('img', { name: kind === 'server' ? 'Server' : 'Laptop' }).first().waitFor({ timeout: 5_000 })
    }
    await shoot(beta.page, 'first-run-name-hint')
    await assertFitsPhoneAndPassesAxe(beta.page, 'first-run-name-hint-my-id')
    await beta.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await beta.page.getByTestId('name-hint').waitFor({ timeout: 5_000 })
    await assertFitsPhoneAndPassesAxe(beta.page, 'first-run-name-hint-peers')
  })

  it('after adding each other by invite, each card shows the other\'s name and icon', async () => {
    const [alphaInvite, betaInvite] = [await inviteOf(alpha), await inviteOf(beta)]
    assert.match(alphaInvite, /[?&]device=server(&|$)/)
    assert.match(betaInvite, /[?&]device=laptop(&|$)/)
    await addByInvite(alpha, betaInvite)
    await addByInvite(beta, alphaInvite)
    for (const [on, of, host, kind] of [[alpha, beta, 'beta', 'laptop'], [beta, alpha, 'alpha', 'server']] as const) {
      const card = cardOf(on, of)
      await card.waitFor({ timeout: 15_000 })
      await card.getByRole('heading', { name: `${user} on ${host} (Linux)` }).waitFor({ timeout: 5_000 })
      assert.equal(await card.locator('[data-device]').getAttribute('data-device'), kind)
    }
    await shoot(alpha.page, 'contact-with-device-icon')
    await assertFitsPhoneAndPassesAxe(alpha.page, 'contact-with-device-icon')
  })

  it('a name saved from the first-run hint replaces the default, and the hint goes', async () => {
    await alpha.page.getByRole('button', { name: 'My ID', exact: true }).click()
    const hint = alpha.page.getByTestId('name-hint')
    await hint.getByLabel('Device name').fill('Build box')
    await hint.getByRole('button', { name: 'Save name' }).click()
    await hint.waitFor({ state: 'detached', timeout: 10_000 })
    await alpha.page.getByTestId('my-name').filter({ hasText: 'Build box' }).waitFor({ timeout: 10_000 })
    assert.match(await alpha.page.getByTestId('invite-text').textContent() ?? '', /name=Build\+box/)
  })

  it('a kind of device changed in Settings reaches the contact with the next offer', async () => {
    await beta.page.getByRole('button', { name: 'Settings', exact: true }).click()
    await beta.page.getByRole('radio', { name: 'Desktop' }).check()
    await beta.page.getByRole('button', { name: 'Save changes' }).click()
    await beta.page.getByRole('button', { name: 'My ID', exact: true }).click()
    await beta.page.locator('main [data-device="desktop"]').first().waitFor({ timeout: 10_000 })
    const source = join(beta.dataDir, 'hello.txt')
    await randomFile(source, 1024)
    await beta.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await cardOf(beta, alpha).getByTestId('send-files-input').setInputFiles(source)
    const offer = alpha.page.getByTestId('incoming-offer')
    await offer.waitFor({ timeout: 60_000 })
    await offer.getByRole('button', { name: 'Decline' }).click()
    await alpha.page.getByRole('button', { name: 'Peers', exact: true }).click()
    await cardOf(alpha, beta).locator('[data-device="desktop"]').waitFor({ timeout: 10_000 })
  })
})
