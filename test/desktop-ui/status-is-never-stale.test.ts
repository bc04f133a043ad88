/**
 * Invariants of what the window says about itself, in a real browser against a real `ferry serve` and relay:
 * the sidebar item of the current view shows a visible focus ring when focused from the keyboard (its own shadow
 * does not hide it), and once the page loses its connection to Ferry the relay line no longer claims "Reachable via
 * relay" beside the "lost connection" banner.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'
import { openSide, shoot } from './side.ts'
import type { Side } from './side.ts'

describe('status that is never stale, focus that is visible', needsChromium(), () => {
  let browser: Browser
  let side: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-status-relay-'))
    browser = await launchChromium()
    side = await openSide(browser, relay.addr, 'Cleo')
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('the current sidebar item shows the focus ring when focused from the keyboard', async () => {
    const current = side.page.getByRole('button', { name: 'Settings', exact: true })
    assert.equal(await current.getAttribute('aria-current'), 'page')
    await current.focus()
    await side.page.keyboard.press('Shift+Tab')
    await side.page.keyboard.press('Tab') // focus arrives by keyboard: :focus-visible applies
    assert.equal(await current.evaluate(el => el === el.ownerDocument.activeElement && el.matches(':focus-visible')), true, 'focused from the keyboard')
    const shadow = await current.evaluate(el => el.ownerDocument.defaultView?.getComputedStyle(el).boxShadow ?? '')
    assert.match(shadow, /0px 0px 0px 4px/, `the focus ring (2 px gap, 2 px accent ring) is drawn: ${shadow}`)
  })

  it('after Ferry stops, the sidebar no longer says "Reachable via relay"', async () => {
    const nav = side.page.getByRole('navigation', { name: 'Main' })
    await nav.getByText('Reachable via relay').waitFor({ timeout: 20_000 })
    side.serve.child.kill('SIGTERM')
    await side.serve.exitCode(30_000)
    await side.page.getByRole('alert').filter({ hasText: 'Lost the connection to Ferry' }).waitFor({ timeout: 40_000 })
    assert.equal(await nav.getByText('Reachable via relay').count(), 0)
    await nav.getByText('Status unknown (not connected to Ferry)').waitFor({ timeout: 5_000 })
    await shoot(side.page, 'status-after-ferry-stopped')
  })
})
