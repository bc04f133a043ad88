/**
 * Every view of the desktop UI fits every width from a phone to a desktop and passes axe-core's WCAG 2.0/2.1/2.2 A and
 * AA rules, in both themes — in a real Chromium (playwright-core) against two real `ferry serve` processes reaching
 * each other through a real relay, with content in every view: a contact, a completed transfer, a declined one (so
 * Transfers and History have rows and state badges).
 *
 * Invariants, for every view of the sidebar (the view registry draws it) at 360, 720, 1280 and 3840 px (a 4K screen at
 * 100 %), light and dark:
 * - nothing scrolls sideways: the document is no wider than the viewport, no element reaches past the viewport's
 *   edges, and no element scrolls horizontally;
 * - zero axe violations with the tags wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa (colour contrast included);
 * - the incoming-offer and Add contact dialogs, and Settings with a network check's result, fit at 360 px and pass axe too;
 * - from the keyboard, every control Tab reaches in every view shows a focus indicator (at 1280 px light, 360 px dark).
 * A screenshot of each goes to test-output/desktop-ui/<view>-<width>-<theme>.png.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { randomFile, tempDir } from '../helpers/files.ts'
import { addContact, openSide } from './side.ts'
import { check } from './page-checks.ts'
import type { Finding } from './page-checks.ts'
import type { Side } from './side.ts'

const WIDTHS = [360, 720, 1280, 3840] as const
const THEMES = ['light', 'dark'] as const

/**
 * The element that has the keyboard focus now: a label for it, and whether a focus indicator is drawn — the focus
 * ring (the 2 px accent ring of app.css, a box-shadow) or a visible outline; for a control drawn invisibly (a radio of
 * a segmented control) the label that stands for it. Marks the element (data-focus-seen), null when it was already
 * marked (the Tab order has come round) or nothing is focused.
 */
const FOCUS_SCRIPT = `(() => {
  const el = document.activeElement
  if (el == null || el === document.body) return { name: 'body', ring: true }
  if (el.hasAttribute('data-focus-seen')) return null
  el.setAttribute('data-focus-seen', '')
  const shown = getComputedStyle(el).opacity === '0' ? (el.closest('label') ?? el) : el
  const s = getComputedStyle(shown)
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !/rgba\\(0, 0, 0, 0\\)|transparent/.test(s.outlineColor)
  const ring = outline || / 0px 0px 0px 4px /.test(' ' + s.boxShadow + ' ')
  return { name: el.tagName.toLowerCase() + ' "' + (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30) + '"', ring }
})()`

describe('every view fits 360 px to 4K and passes axe in both themes', needsChromium(), () => {
  let browser: Browser
  let a: Side
  let b: Side
  const findings = new Map<string, Finding>()

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-relay-'))
    browser = await launchChromium()
    ;[a, b] = await Promise.all([openSide(browser, relay.addr, 'Alice'), openSide(browser, relay.addr, 'Bob')])

    // A adds B from B's invite; B accepts one offer (completed) and declines another: content for every view.
    const card = await addContact(a, b)
    await card.waitFor({ timeout: 15_000 })
    for (const [file, answer] of [['a rather long holiday photo name.jpg', 'Accept'], ['unwanted.bin', 'Decline']] as const) {
      const source = join(a.dataDir, file)
      await randomFile(source, 256 * 1024)
      await card.getByTestId('send-files-input').setInputFiles(source)
      const offer = b.page.getByTestId('incoming-offer')
      await offer.waitFor({ timeout: 60_000 })
      if (answer === 'Decline') {
        // The dialog at a phone's width, in both themes, while it is up.
        for (const theme of THEMES) {
          await b.page.emulateMedia({ colorScheme: theme })
          await b.page.setViewportSize({ width: 360, height: 740 })
          findings.set(`offer-dialog 360 ${theme}`, await check(b.page, `offer-dialog-360-${theme}`))
        }
        await b.page.setViewportSize({ width: 1200, height: 800 })
      }
      await offer.getByRole('button', { name: answer }).click()
      await offer.waitFor({ state: 'detached', timeout: 5_000 })
      const state = answer === 'Accept' ? 'completed' : 'declined'
      await a.page.getByRole('button', { name: 'Transfers', exact: true }).click()
      await a.page.locator(`[data-testid="transfer"][data-state="${state}"]`).waitFor({ timeout: 60_000 })
      await a.page.getByRole('button', { name: 'Peers', exact: true }).click()
    }
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  it('every view, at 360, 720, 1280 and 3840 px (4K), light and dark: no sideways scrolling, zero axe violations', async () => {
    const page = a.page
    // The sidebar's buttons are drawn from the view registry: every view is one of them.
    const views = await page.locator('nav[aria-label="Main"] button[aria-label]').evaluateAll(els => els.map(e => e.getAttribute('aria-label') ?? ''))
    assert.deepEqual(views, ['Peers', 'Transfers', 'History', 'Settings', 'My ID'])
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme })
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: width === 360 ? 740 : width === 3840 ? 2160 : 800 })
        for (const view of views) {
          const button = page.getByRole('button', { name: view, exact: true })
          await button.click()
          await page.locator(`nav[aria-label="Main"] button[aria-label="${view}"][aria-current="page"]`).waitFor()
          if (view === 'History') await page.getByRole('table', { name: 'Transfer history' }).getByRole('row').nth(2).waitFor()
          const slug = view.toLowerCase().replace(/\s+/g, '-')
          findings.set(`${slug} ${width} ${theme}`, await check(page, `${slug}-${width}-${theme}`))
        }
      }
    }

    // The Add contact dialog at a phone's width.
    await page.setViewportSize({ width: 360, height: 740 })
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme })
      await page.getByRole('button', { name: 'Peers', exact: true }).click()
      await page.getByRole('button', { name: 'Add contact' }).click()
      await page.getByRole('dialog', { name: 'Add contact' }).waitFor()
      findings.set(`add-contact-dialog 360 ${theme}`, await check(page, `add-contact-dialog-360-${theme}`))
      await page.keyboard.press('Escape')
      await page.getByRole('dialog', { name: 'Add contact' }).waitFor({ state: 'hidden' })
    }

    // Settings with a network check's result in its live region, at a phone's width.
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme })
      await page.getByRole('button', { name: 'Settings', exact: true }).click()
      await page.getByRole('button', { name: 'Check network' }).click()
      await page.getByRole('status').filter({ hasText: 'Relay /ip4/' }).waitFor({ timeout: 30_000 })
      findings.set(`settings-network-check 360 ${theme}`, await check(page, `settings-network-check-360-${theme}`))
    }

    // One line per check, for the record; then every check must be clean.
    const bad: string[] = []
    for (const [key, f] of findings) {
      const nodes = Object.values(f.axe).reduce((n, v) => n + v.length, 0)
      console.log(`${key}: ${Object.keys(f.axe).length} axe rules violated (${nodes} nodes) ${JSON.stringify(Object.fromEntries(Object.entries(f.axe).map(([k, v]) => [k, v.length])))}, ${f.overflow.length} overflowing`)
      if (nodes > 0 || f.overflow.length > 0) bad.push(`${key}: ${JSON.stringify(f.axe)} ${JSON.stringify(f.overflow.slice(0, 8))}`)
    }
    assert.deepEqual(bad, [], bad.join('\n'))
  })
  it('from the keyboard, every control of every view shows a focus indicator (1280 px light, 360 px dark)', async () => {
    const page = a.page
    const missing: string[] = []
    let reached = 0
    for (const [width, theme] of [[1280, 'light'], [360, 'dark']] as const) {
      await page.emulateMedia({ colorScheme: theme })
      await page.setViewportSize({ width, height: width === 360 ? 740 : 800 })
      for (const view of ['Peers', 'Transfers', 'History', 'Settings', 'My ID']) {
        await page.getByRole('button', { name: view, exact: true }).click()
        await page.evaluate('document.querySelectorAll("[data-focus-seen]").forEach(e => e.removeAttribute("data-focus-seen"))')
        for (let i = 0; i < 80; i++) {
          await page.keyboard.press('Tab')
          const f = await page.evaluate(FOCUS_SCRIPT) as { name: string, ring: boolean } | null
          if (f == null) break
          if (f.name !== 'body') reached++
          if (!f.ring) missing.push(`${view} ${width} ${theme}: ${f.name}`)
        }
      }
    }
    console.log(`focus: ${reached} focus stops reached by Tab, ${missing.length} without a visible indicator`)
    assert.ok(reached >= 40, `Tab reached the controls of the views (${reached})`)
    assert.deepEqual(missing, [])
  })
})
