import { FerryError } from '../errors/index.ts'
import { StreamClosedError } from './channel.ts'
import { StreamOpenError } from './open-stream.ts'

/**
 * A send whose data stopped moving after the `accept` (its own stall timeout, or the receiver's `error` `timeout`):
 * the connection under it was presumed stuck and closed (docs/PROTOCOL.md §10, "A connection that stopped working").
 * The transfer is recorded as `cause` says (`failed`, code `timeout`), which a new attempt with the same transfer ID
 * resumes. `cause` is the error that ended it, and what the send reports when it is not tried again.
 */
export class ConnectionStalledError extends FerryError {
  static override name = 'ConnectionStalledError'

  constructor (cause: unknown) {
    super('timeout', 'No data moved on the connection for the stall timeout', { cause })
  }
}

/**
 * What a send does after an attempt failed: `redial` at once (nothing was offered: not an interruption to report),
 * resume at once (`resume-now`) or after `RESUME_RETRY_DELAY_MS` (`resume-later`), or give up.
 */
export type NextAttempt = 'redial' | 'resume-now' | 'resume-later' | 'give-up'

/**
 * Decides, attempt by attempt, whether a send dials again (docs/PROTOCOL.md §8 and §10). Within the retry window
 * (`deadline`), a transfer that lost its connection under way resumes after a pause, as many times as the window
 * allows. Two faults of a connection libp2p still listed as open get one new connection each even with no window,
 * since the transfer did not fail on its own account: a stream that could not be opened ({@link StreamOpenError}:
 * nothing was offered yet) and data that stopped moving after the accept ({@link ConnectionStalledError}: the same
 * transfer ID is offered again, which resumes it — docs/PROTOCOL.md §8).
 */
export class Attempts {
  private readonly deadline: number
  private readonly resumable: boolean
  private redialled = false
  private resumedStall = false

  /**
   * @param deadline - until when (ms since the epoch) an interrupted transfer is tried again
   * @param resumable - false for a text snippet, which is never resumed (its ID must be new to the receiver)
   */
  constructor (deadline: number, resumable = true) {
    this.deadline = deadline
    this.resumable = resumable
  }

  /** The next step after attempt `attempt` (from 1) failed with `err`; `aborted`: the send's own signal aborted. */
  next (err: unknown, attempt: number, aborted: boolean): NextAttempt {
    if (aborted) return 'give-up'
    if (err instanceof StreamOpenError && !this.redialled) {
      this.redialled = true
      return 'redial'
    }
    const inWindow = Date.now() < this.deadline
    if (err instanceof ConnectionStalledError) {
      if (this.resumable && (inWindow || !this.resumedStall)) {
        this.resumedStall = true
        return 'resume-now'
      }
      return 'give-up'
    }
    // Only a transfer that was under way and lost its connection is retried; a first dial that fails is not.
    const interrupted = err instanceof StreamClosedError || (attempt > 1 && (err as { code?: string }).code === 'peer-unreachable')
    return interrupted && inWindow ? 'resume-later' : 'give-up'
  }
}

/** The error a send reports when it gives up after `err`: a stall reports what ended the transfer. */
export function reportedError (err: unknown): unknown {
  return err instanceof ConnectionStalledError ? err.cause : err
}
