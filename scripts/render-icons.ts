/**
 * Renders Ferry's icon SVGs (assets/*.svg) to the PNGs electron-builder and the tray use, with Debian's Chromium
 * driven by playwright-core (a transparent page exactly the icon's size, screenshot without background).
 *
 * Outputs (committed): assets/icon.png (1024 px: electron-builder derives .icns, .ico and the Linux sizes from it),
 * assets/tray.png + tray@2x.png (16/32 px, Linux and Windows), assets/trayTemplate.png + trayTemplate@2x.png
 * (16/32 px, macOS template image: black on transparency).
 *
 * Run: `node scripts/render-icons.ts` (needs `apt-get install -y chromium`; `CHROMIUM=/path` for another binary).
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { chromium } from 'playwright-core'

const assets = path.resolve(import.meta.dirname, '..', 'assets')

/** Each PNG: its source SVG and its size in pixels. */
export const ICON_OUTPUTS: ReadonlyArray<{ svg: string, png: string, size: number }> = [
  { svg: 'icon.svg', png: 'icon.png', size: 1024 },
  { svg: 'tray.svg', png: 'tray.png', size: 16 },
  { svg: 'tray.svg', png: 'tray@2x.png', size: 32 },
  { svg: 'trayTemplate.svg', png: 'trayTemplate.png', size: 16 },
  { svg: 'trayTemplate.svg', png: 'trayTemplate@2x.png', size: 32 }
]

/** Renders every entry of {@link ICON_OUTPUTS} into `assets/`. */
export async function renderIcons (executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium'): Promise<void> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  try {
    for (const { svg, png, size } of ICON_OUTPUTS) {
      const source = await readFile(path.join(assets, svg), 'utf8')
      const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 })
      const url = `data:image/svg+xml;base64,${Buffer.from(source).toString('base64')}`
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent"><img src="${url}" width="${size}" height="${size}" style="display:block"></body></html>`)
      await page.waitForFunction('document.images[0]?.complete === true')
      await page.screenshot({ path: path.join(assets, png), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } })
      await page.close()
      console.log(`assets/${png} (${size}×${size}) from assets/${svg}`)
    }
  } finally {
    await browser.close()
  }
}

if (import.meta.main) await renderIcons()
