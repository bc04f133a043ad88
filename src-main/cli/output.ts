import cliProgress from 'cli-progress'
import type { TransferProgress } from '../core/index.ts'
import { describeFailure, failureOf, formatBytes, printable, t } from '../text/index.ts'
import type { Failure, FailureContext } from '../text/index.ts'

/** One CLI event: `event` names it; the rest are its fields. With `--json` each is printed as one JSON line. */
export interface CliEvent {
  event: string
  [key: string]: unknown
}

export { formatBytes }

/**
 * Where a command's output goes: with `json`, one JSON object per line on stdout (for scripts); otherwise text for
 * people (the catalog's words, in the system's language: docs/I18N.md; JSON events stay English, they are an API),
 * with a progress bar (speed, ETA) on stderr when it is a terminal.
 */
export class Output {
  readonly json: boolean
  private bar: cliProgress.SingleBar | undefined

  constructor (json: boolean) {
    this.json = json
  }

  /** Prints an event: as JSON, or as `text` for people (nothing when `text` is omitted). */
  event (event: CliEvent, text?: string): void {
    if (this.json) process.stdout.write(JSON.stringify(event) + '\n')
    else if (text != null) {
      this.bar?.stop()
      this.bar = undefined
      process.stdout.write(text + '\n')
    }
  }

  /** Shows transfer progress: a JSON `progress` event, or the progress bar. */
  progress (p: TransferProgress): void {
    if (this.json) {
      this.event({ event: 'progress', transferId: p.transferId, transferredBytes: p.transferredBytes, totalBytes: p.totalBytes, file: p.filePath, bytesPerSecond: Math.round(p.bytesPerSecond), etaMs: p.etaMs == null ? null : Math.round(p.etaMs) })
      return
    }
    if (process.stderr.isTTY !== true) return
    if (this.bar == null) {
      this.bar = new cliProgress.SingleBar({
        // cli-progress's own placeholders, put in place by the catalog's words around them.
        format: ` ${t('cli.progressBar', { bar: '{bar}', percentage: '{percentage}', done: '{done}', size: '{size}', speed: '{speed}', eta: '{eta_formatted}', file: '{file}' })}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 40
      }, cliProgress.Presets.shades_classic)
      this.bar.start(p.totalBytes, 0)
    }
    this.bar.update(p.transferredBytes, { done: formatBytes(p.transferredBytes), size: formatBytes(p.totalBytes), speed: formatBytes(p.bytesPerSecond), file: p.filePath })
  }

  /**
   * Prints a failure in the words of the one table (src-main/text/failures.ts): an `error` event with its `code`,
   * `reason` (a failed file operation's) and `message` (those words), or the words as a line on stderr. `err` is a
   * thrown value or the facts of a `failed` event; without a code it is printed as `internal` with its message.
   */
  failure (err: unknown, ctx: FailureContext = {}, details: Record<string, unknown> = {}): void {
    const failure: Failure = failureOf(err) ?? { code: 'internal', message: err instanceof Error ? err.message : String(err) }
    const worded = describeFailure(failure, ctx)
    // A local path the person gave (a file to send that cannot be read), from the error's own field: said here, where
    // the person who typed it reads it, and never in the page.
    const path = (err as { path?: unknown } | null)?.path
    const where = typeof path === 'string' && failure.code !== 'internal' ? path : undefined
    this.error(worded.code, worded.message, { ...(worded.reason == null ? {} : { reason: worded.reason }), ...(where == null ? {} : { path: where }), ...details })
    if (!this.json && where != null) process.stderr.write(`  ${printable(where)}\n`)
  }

  /** Prints an error as an `error` event (with `details`, e.g. a `reason`) or as a line on stderr. */
  error (code: string, message: string, details: Record<string, unknown> = {}): void {
    this.bar?.stop()
    this.bar = undefined
    if (this.json) this.event({ event: 'error', code, message, ...details })
    else process.stderr.write(`${t('cli.error', { message })}\n`)
  }
}
