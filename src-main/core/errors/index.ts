/**
 * Ferry's error base class.
 *
 * Every error Ferry throws on purpose is a subclass of {@link FerryError}: it has a stable `name` (a `static name`
 * on the class, so `err.name` survives minification and can be asserted on in tests) and a stable machine-readable
 * `code` (kebab-case, listed in `docs/PROTOCOL.md` where it crosses the wire). The `message` is written for a person.
 *
 * @example
 * ```ts
 * class DiskFullError extends FerryError {
 *   static override name = 'DiskFullError'
 *   constructor (message = 'The disk is full') { super('disk-full', message) }
 * }
 * ```
 */
export class FerryError extends Error {
  static override name = 'FerryError'
  /** Stable machine-readable code, e.g. `declined`, `unsafe-path`, `hash-mismatch`. */
  readonly code: string

  constructor (code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = (new.target as { name: string }).name
  }
}

/** Thrown when an operation is cancelled through its `AbortSignal`. */
export class AbortedError extends FerryError {
  static override name = 'AbortedError'
  constructor (message = 'The operation was aborted', options?: ErrorOptions) {
    super('aborted', message, options)
  }
}

/**
 * The abort reason of a transfer paused by a person: it stops like a cancel but stays resumable (recorded as
 * `interrupted` with code `paused`).
 */
export class PausedError extends FerryError {
  static override name = 'PausedError'
  constructor (message = 'The transfer was paused') {
    super('paused', message)
  }
}

export { FAILURE_REASONS, failureReasonOf, isFailureReason } from './reasons.ts'
export type { FailureReason, FileOperation } from './reasons.ts'

/** Throws {@link AbortedError} if `signal` is already aborted. */
export function throwIfAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AbortedError(undefined, { cause: signal.reason })
}

/** The `message` of any thrown value, for logs and user-facing errors. */
export function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
