/**
 * Checks of a page as it is drawn now, for the UI's browser tests: horizontal overflow (nothing may scroll sideways)
 * and axe-core's WCAG 2.0/2.1/2.2 A and AA rules, with a screenshot of what was checked.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { shoot } from './side.ts'

/** axe-core's browser build, evaluated in the page (the page's CSP forbids adding it as a script). */
export const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']

/** What one check found: axe violations (rule id → nodes) and the elements that stick out sideways. */
export interface Finding { axe: Record<string, string[]>, overflow: string[] }

/**
 * Horizontal overflow in the page as it is drawn now: the document wider than the viewport, elements whose box
 * reaches past the viewport's left or right edge (1 px tolerance for rounding), elements that scroll sideways.
 * (Page-side code as text: the tests are type-checked without the DOM library.)
 */
const OVERFLOW_SCRIPT = `(() => {
  const out = []
  const vw = window.innerWidth
  const root = document.documentElement
  if (root.scrollWidth > vw) out.push('document ' + root.scrollWidth + ' px wide > ' + vw)
  const name = el => el.tagName.toLowerCase() + (el.id !== '' ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() !== '' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.textContent ?? '').trim().slice(0, 30) + '"'
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el)
    if (style.display === 'none' || style.visibility === 'hidden') continue
    if (el.closest('.visually-hidden') != null) continue
    const r = el.getBoundingClientRect()
    if (r.width === 0 && r.height === 0) continue
    if (r.right > vw + 1 || r.left < -1) out.push(name(el) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + ' px')
    if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      out.push(name(el) + ' scrolls sideways (' + el.scrollWidth + ' > ' + el.clientWidth + ' px)')
    }
  }
  return out
})()`

export async function overflowOf (page: Page): Promise<string[]> {
  return await page.evaluate(OVERFLOW_SCRIPT) as string[]
}

/** axe violations of the page as it is now, rule id → the offending nodes' selectors. */
export async function axeOf (page: Page): Promise<Record<string, string[]>> {
  if (await page.evaluate('typeof window.axe') === 'undefined') await page.evaluate(AXE_SOURCE)
  return await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })
    return Object.fromEntries(result.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' '))]))
  })()`) as Record<string, string[]>
}

/** Both checks, plus the screenshot `test-output/desktop-ui/<shot>.png`. */
export async function check (page: Page, shot: string): Promise<Finding> {
  // Animations (dialog pop, toast slide) would make axe read colours mid-fade.
  await page.waitForTimeout(250)
  const overflow = await overflowOf(page)
  const axe = await axeOf(page)
  await shoot(page, shot)
  return { axe, overflow }
}

/**
 * Asserts that the view as it is drawn now fits a phone's width (360 px) with no sideways scrolling and passes axe,
 * in the light and the dark theme; screenshots `<shot>-360-<theme>.png`. Leaves the page at 1200 × 800, light.
 */
export async function assertFitsPhoneAndPassesAxe (page: Page, shot: string): Promise<void> {
  await page.setViewportSize({ width: 360, height: 740 })
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme })
    assert.deepEqual(await check(page, `${shot}-360-${theme}`), { axe: {}, overflow: [] }, `${shot} 360 ${theme}`)
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize({ width: 1200, height: 800 })
}
