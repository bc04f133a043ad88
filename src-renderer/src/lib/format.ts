/**
 * Formatting for people: sizes, speeds, durations, times. Pure functions, no DOM.
 *
 * @example
 * ```ts
 * formatBytes(1572864)      // '1.5 MiB'
 * formatSpeed(3_500_000)    // '3.3 MiB/s'
 * formatDuration(75_000)    // '1 min 15 s'
 * formatPresence(false, Date.now() - 120_000) // 'Last seen 2 min ago' ('上次在线：2 分钟前' in Chinese)
 * ```
 */

import { formatBytes, formatDuration as textDuration } from '../../../src-main/text/index.ts'
import { dateLocale, language, t } from './i18n.ts'

/** Sizes (src-main/text, the same rule as the CLI and notifications): `1.5 MiB` — the same in English and Chinese. */
export { formatBytes }

/** A duration (src-main/text, the same rule as the CLI): `1 min 15 s`, `1 分 15 秒`. */
export function formatDuration (ms: number): string {
  void language()
  return textDuration(ms)
}

/** A speed in bytes per second: `3.3 MiB/s`. */
export function formatSpeed (bytesPerSecond: number): string {
  return t('common.speed', { size: formatBytes(Math.round(bytesPerSecond)) })
}

/** How long ago `at` (ms since epoch) was, relative to `now`: `just now`, `5 min ago`, `3 h ago`, `2 days ago`. */
export function formatAgo (at: number, now = Date.now()): string {
  const s = Math.round((now - at) / 1000)
  if (s < 45) return t('ago.justNow')
  const min = Math.round(s / 60)
  if (min < 60) return t('ago.min', { n: min })
  const h = Math.round(min / 60)
  if (h < 24) return t('ago.h', { n: h })
  const d = Math.round(h / 24)
  return d === 1 ? t('ago.yesterday') : t('ago.days', { n: d })
}

/** Presence line of a peer: `Online`, `Last seen 5 min ago`, or `Not seen yet` when never seen online. */
export function formatPresence (online: boolean, lastSeenAt?: number, now = Date.now()): string {
  if (online) return t('presence.online')
  return lastSeenAt != null ? t('presence.lastSeen', { ago: formatAgo(lastSeenAt, now) }) : t('presence.notSeen')
}

/** A date and time in the page's language (`Intl.DateTimeFormat`, the browser's regional form in English), short: `22 Nov, 14:05`, `11月22日 14:05` (today: just the time). */
export function formatWhen (at: number, now = Date.now()): string {
  const d = new Date(at)
  const today = new Date(now).toDateString() === d.toDateString()
  if (today) return new Intl.DateTimeFormat(dateLocale(), { hour: '2-digit', minute: '2-digit' }).format(d)
  return new Intl.DateTimeFormat(dateLocale(), { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(d)
}

/** `1 file` / `3 files` / `1,200 files` / `3 个文件` (ICU plural rules and digits of the page's language). */
export function fileCount (n: number): string {
  return t('common.files', { count: n })
}

/** Percentage 0–100 of `done` over `total` (100 for an empty transfer). */
export function percent (done: number, total: number): number {
  if (total <= 0) return 100
  return Math.min(100, Math.max(0, (done / total) * 100))
}
