/**
 * Invariant: the page speaks the language chosen in Settings — in a real Chromium against a real `ferry serve` — and
 * keeps it: switching Settings to 中文 turns the sidebar, the views and `<html lang>` Chinese at once, a reload keeps
 * it (the setting is stored by the app), every view then still fits 360 px and passes axe (its `lang` follows), and
 * switching back to English restores the English words. The browser's own language is English (Chromium's default),
 * so nothing here is Chinese by accident.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { tempDir } from '../helpers/files.ts'
import { openSide } from './side.ts'
import type { Side } from './side.ts'
import { check } from './page-checks.ts'
import type { Finding } from './page-checks.ts'

/** The sidebar's accessible names, in English and in Chinese (src-main/text/locales, `view.*`). */
const VIEWS_EN = ['Peers', 'Transfers', 'History', 'Settings', 'My ID']
const VIEWS_ZH = ['对等节点', '传输', '历史记录', '设置', '我的 ID']

describe('the language follows Settings', needsChromium(), () => {
  let browser: Browser
  let a: Side

  before(async () => {
    const relay = await startRelay(await tempDir('ferry-ui-relay-'))
    browser = await launchChromium()
    a = await openSide(browser, relay.addr, 'Alice')
  })

  after(async () => {
    await browser?.close()
    await stopAll()
  })

  /** The sidebar's accessible names now. */
  async function sidebar (): Promise<string[]> {
    const nav = a.page.locator('nav').first()
    await nav.waitFor()
    return await nav.locator('button[aria-label]').evaluateAll(els => els.map(e => e.getAttribute('aria-label') ?? ''))
  }

  it('Settings → 中文: the sidebar, the views and <html lang> are Chinese, a reload keeps it, English comes back', async () => {
    const page = a.page
    assert.deepEqual(await sidebar(), VIEWS_EN)
    assert.equal(await page.evaluate('document.documentElement.lang'), 'en')

    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    await page.getByLabel('Language').selectOption('zh-CN')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.getByRole('heading', { level: 1, name: '设置' }).waitFor({ timeout: 10_000 })
    assert.deepEqual(await sidebar(), VIEWS_ZH)
    assert.equal(await page.evaluate('document.documentElement.lang'), 'zh-CN')
    // The relay status line under the sidebar and a view's own words.
    await page.locator('nav').getByRole('status').filter({ hasText: /中继/ }).waitFor({ timeout: 15_000 })
    await page.getByRole('button', { name: '传输', exact: true }).click()
    await page.getByRole('heading', { name: '还没有发送或接收任何文件' }).waitFor()
    await page.getByRole('button', { name: '对等节点', exact: true }).click()
    await page.getByRole('heading', { level: 2, name: '联系人' }).waitFor()

    // Stored by the app: a fresh page load speaks Chinese from the snapshot on.
    await page.reload()
    await page.getByRole('button', { name: '对等节点', exact: true }).waitFor({ timeout: 15_000 })
    assert.deepEqual(await sidebar(), VIEWS_ZH)

    // Every view in Chinese fits a phone's width and passes axe (with lang="zh-CN"), light and dark.
    const bad: string[] = []
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme })
      for (const [width, height] of [[360, 740], [1280, 800]] as const) {
        await page.setViewportSize({ width, height })
        for (const [i, view] of VIEWS_ZH.entries()) {
          await page.getByRole('button', { name: view, exact: true }).click()
          await page.locator(`nav button[aria-label="${view}"][aria-current="page"]`).waitFor()
          const f: Finding = await check(page, `zh-CN-${VIEWS_EN[i]?.toLowerCase().replace(/\s+/g, '-')}-${width}-${theme}`)
          const nodes = Object.values(f.axe).reduce((n, v) => n + v.length, 0)
          if (nodes > 0 || f.overflow.length > 0) bad.push(`${view} ${width} ${theme}: ${JSON.stringify(f.axe)} ${JSON.stringify(f.overflow.slice(0, 8))}`)
        }
      }
    }
    assert.deepEqual(bad, [], bad.join('\n'))

    await page.setViewportSize({ width: 1200, height: 800 })
    await page.emulateMedia({ colorScheme: 'light' })
    await page.getByRole('button', { name: '设置', exact: true }).click()
    await page.getByLabel('语言').selectOption('en')
    await page.getByRole('button', { name: '保存更改' }).click()
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor({ timeout: 10_000 })
    assert.deepEqual(await sidebar(), VIEWS_EN)
    assert.equal(await page.evaluate('document.documentElement.lang'), 'en')
  })
})
