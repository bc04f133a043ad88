/**
 * Ferry's debug logs: namespaced loggers (`ferry:<component>`) on the libp2p ecosystem's logger (`@libp2p/logger`,
 * which prints the namespaces named in `DEBUG`, e.g. `DEBUG=ferry:*`), plus the most recent lines kept in memory for
 * "copy diagnostics" whatever `DEBUG` says.
 *
 * Rule for every log call: no file names and no local paths — log transfer IDs, file indexes, byte counts, peer IDs,
 * multiaddrs and error codes. {@link recentLogLines} also masks the paths it is told about, and home folders.
 *
 * @example
 * ```ts
 * const log = logger('dial')
 * log('attempt %d of %d to %a', 1, 3, addr)
 * log.error('attempt failed: %s', err.code)
 * recentLogLines({ mask: [dataDir, downloadDir] })   // ['2026-12-05T16:58:01.123Z ferry:dial attempt 1 of 3 to /ip4/…', …]
 * ```
 */
import { enable, enabled, logger as libp2pLogger } from '@libp2p/logger'
import type { Logger } from '@libp2p/logger'
import { format } from 'node:util'

export type { Logger }

/** Lines kept for diagnostics, at most (the oldest go first). */
export const MAX_LOG_LINES = 500
/** Longest line kept, characters (a longer one is cut). */
const MAX_LINE_CHARS = 1_000

const lines: string[] = []

function keep (line: string): void {
  lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line)
  if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES)
}

/**
 * The logger of one component, namespace `ferry:<component>` (and `ferry:<component>:error` for `.error`). Every call
 * is kept for diagnostics; it is printed on stderr when its namespace is enabled (`DEBUG`, or {@link showLogs}).
 */
export function logger (component: string): Logger {
  const name = `ferry:${component}`
  const log = libp2pLogger(name)
  for (const [fn, ns] of [[log, name], [log.error, `${name}:error`]] as const) {
    const target = fn as unknown as { enabled: boolean, log: (...args: unknown[]) => void }
    // Always on, so the line is formatted and kept; printed only when the person asked for this namespace.
    target.enabled = true
    target.log = (...args: unknown[]) => {
      const text = format(...args)
      // Kept without the colours or the date the debug formatter may have added, with a date of our own.
      // eslint-disable-next-line no-control-regex
      const plain = text.replace(/\u001b\[[0-9;]*m/g, '').replace(/^\s*\d{4}-\d\d-\d\dT[\d:.]+Z\s+/, '').trimStart()
      keep(`${new Date().toISOString()} ${plain}`)
      if (enabled(ns)) process.stderr.write(text + '\n')
    }
  }
  return log
}

/**
 * Prints the logs of `namespaces` (default every Ferry namespace, `ferry:*`) on stderr from now on (`--verbose`),
 * besides those already enabled by `debug` (the host passes its `DEBUG`; the core reads no environment).
 */
export function showLogs (namespaces = 'ferry:*', debug?: string): void {
  enable(debug == null || debug === '' ? namespaces : `${debug},${namespaces}`)
}

/**
 * The most recent log lines (oldest first), for a person to copy into a bug report: every string of `mask` (local
 * folders such as the data and download folders) and home folders (`/home/<user>`, `/Users/<user>`,
 * `C:\Users\<user>`) replaced by `<path>`.
 */
export function recentLogLines (options: { mask?: readonly string[] } = {}): string[] {
  const masks = [...(options.mask ?? [])].filter(m => m.length > 1).sort((a, b) => b.length - a.length)
  return lines.map(line => {
    let out = line
    for (const m of masks) out = out.split(m).join('<path>')
    return out.replace(/(\/home\/|\/Users\/|[A-Za-z]:\\Users\\)[^\s/\\]+/g, '<path>')
  })
}
