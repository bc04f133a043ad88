/**
 * Formatting for people: sizes, speeds, durations, times. Pure functions, no DOM.
 *
 * @example
 * ```ts
 * formatBytes(1572864)      // '1.5 MiB'
 * formatSpeed(3_500_000)    // '3.3 MiB/s'
 * formatDuration(75_000)    // '1 min 15 s'
 * formatPresence(false, Date.now() - 120_000) // 'Last seen 2 min ago'
 * ```
 */

import { formatBytes, formatDuration } from '../../../src-main/text/index.ts'

/** Sizes and durations (src-main/text, the same rules as the CLI and notifications): `1.5 MiB`, `1 min 15 s`. */
export { formatBytes, formatDuration }

/** A speed in bytes per second: `3.3 MiB/s`. */
export function formatSpeed (bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`
}

/** How long ago `at` (ms since epoch) was, relative to `now`: `just now`, `5 min ago`, `3 h ago`, `2 days ago`. */
export function formatAgo (at: number, now = Date.now()): string {
  const s = Math.round((now - at) / 1000)
  if (s < 45) return 'just now'
  const min = Math.round(s / 60)
  if (min < 60) return `${min} min ago`
  const h = Math.round(min / 60)
  if (h < 24) return `${h} h ago`
  const d = Math.round(h / 24)
  return d === 1 ? 'yesterday' : `${d} days ago`
}

/** Presence line of a peer: `Online`, `Last seen 5 min ago`, or `Not seen yet` when never seen online. */
export function formatPresence (online: boolean, lastSeenAt?: number, now = Date.now()): string {
  if (online) return 'Online'
  return lastSeenAt != null ? `Last seen ${formatAgo(lastSeenAt, now)}` : 'Not seen yet'
}

/** A date and time in the person's locale, short: `22 Nov, 14:05` (today: just the time). */
export function formatWhen (at: number, now = Date.now()): string {
  const d = new Date(at)
  const today = new Date(now).toDateString() === d.toDateString()
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  if (today) return time
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}, ${time}`
}

/** `1 file` / `3 files` / `1,200 files` (digits grouped in the person's locale). */
export function plural (n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`
}

/** The last segment of a `/`-separated path (a file's name). */
export function baseName (path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? path : path.slice(i + 1)
}

/** Percentage 0–100 of `done` over `total` (100 for an empty transfer). */
export function percent (done: number, total: number): number {
  if (total <= 0) return 100
  return Math.min(100, Math.max(0, (done / total) * 100))
}
