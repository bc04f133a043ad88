/**
 * A real browser for the UI's end-to-end tests: Debian's Chromium (`apt-get install chromium`, installed by `.ci/run`)
 * driven by playwright-core. Without Chromium the tests are skipped with the reason — except in CI (`CI=true`), where
 * a missing browser fails the run instead of hiding the tests.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/** The Chromium binary: `FERRY_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium'

/** Flags for a headless Chromium that talks to nothing but the pages it is sent to. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Where screenshots of a test run go (gitignored). */
export const TEST_OUTPUT_DIR = fileURLToPath(new URL('../../test-output/', import.meta.url))

/** `{ skip }` for node:test when Chromium is missing outside CI. */
export function needsChromium (): { skip?: string } {
  if (existsSync(CHROMIUM_PATH) || process.env.CI === 'true') return {}
  return { skip: `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set FERRY_CHROMIUM)` }
}

/** Launches headless Chromium. Close it with `browser.close()`. */
export async function launchChromium (): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (CI installs it in .ci/run)`)
  await mkdir(TEST_OUTPUT_DIR, { recursive: true })
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}
