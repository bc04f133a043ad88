/**
 * The life cycle of a transfer, in one place: its states, which of them are terminal, unfinished (running) and
 * resumable, how a transfer that did not complete ends up recorded (docs/PROTOCOL.md §11, "How a side records an
 * ending"), and whether a recorded transfer can resume (§8). The store, the transfer service, the sender and the
 * receiver, the app's views and — through the API view's derived fields — the renderer all read it from here.
 *
 * This module imports nothing, so the store (which the rest of `core/transfer` builds on) can read it too.
 *
 * ```
 * offered ──► accepted ──► transferring ──► completed
 *    │  (receiver only: recorded     │
 *    │   before `accept` is sent)    └──► failed | interrupted | cancelled
 *    └──► declined | failed | cancelled | interrupted
 * ```
 */

/**
 * States of a transfer, as recorded in the history (the `state` column of `transfers`, store migration 1).
 *
 * - `offered`: a send made its offer and waits for the answer (a receiver never records a new offer in this state).
 * - `accepted`: receiver only — the offer was accepted and recorded, its free space reserved; `accept` is being sent.
 * - `transferring`: the answer was `accept` (sender), or `accept` was sent (receiver); `acceptedAt` is set the first
 *   time.
 * - `completed`, `declined`, `failed`, `interrupted`, `cancelled`: ended (see {@link TERMINAL_STATES}).
 */
export type TransferState =
  | 'offered'
  | 'accepted'
  | 'transferring'
  | 'completed'
  | 'declined'
  | 'failed'
  | 'interrupted'
  | 'cancelled'

/** Every state, in life-cycle order. */
export const TRANSFER_STATES: readonly TransferState[] = [
  'offered', 'accepted', 'transferring', 'completed', 'declined', 'failed', 'interrupted', 'cancelled'
]

/**
 * States after which a transfer never moves on by itself; entering one sets `finished_at`. (A resumable one moves on
 * only when it is resumed: {@link RESUMABLE_STATES}.)
 */
export const TERMINAL_STATES: readonly TransferState[] = ['completed', 'declined', 'failed', 'interrupted', 'cancelled']

/**
 * States of a transfer still in flight: running, when its process runs. A record left in one of them when Ferry starts
 * was cut short by a crash or a kill, so the store's `markUnfinishedAsInterrupted` moves it to `interrupted`.
 */
export const UNFINISHED_STATES: readonly TransferState[] = ['offered', 'accepted', 'transferring']

/**
 * States from which an accepted transfer resumes (docs/PROTOCOL.md §8): it stopped before completing, and not by a
 * person's choice — the connection dropped, a side paused it, the disk was full, or it failed.
 */
export const RESUMABLE_STATES: readonly TransferState[] = ['interrupted', 'failed']

/**
 * Codes of a failed send that a new attempt with the same transfer ID would only meet again: the receiver refused the
 * ID (`invalid-offer`, e.g. it already completed that transfer) or the exchange broke the protocol. Re-sending such
 * files starts a new transfer (docs/PROTOCOL.md §8, "Which ID the sender offers").
 */
export const NOT_RESUMED_SEND_CODES: readonly string[] = ['invalid-offer', 'protocol-error']

/** Whether `state` is one a transfer never leaves by itself. */
export function isTerminal (state: TransferState): boolean {
  return TERMINAL_STATES.includes(state)
}

/** Whether `state` is one of a transfer still in flight ({@link UNFINISHED_STATES}). */
export function isUnfinished (state: TransferState): boolean {
  return UNFINISHED_STATES.includes(state)
}

/** The fields of a history record that decide whether it can resume (a `TransferRecord` has them all). */
export interface ResumableRecord {
  direction: 'send' | 'receive'
  state: TransferState
  /** When the transfer was first accepted; unset for one never accepted. */
  acceptedAt?: number
  errorCode?: string
  /** Receiver: the folder its files (and partial files) are in. */
  destDir?: string
}

/**
 * Whether a recorded transfer can resume (docs/PROTOCOL.md §8): it was accepted once, stopped in a resumable state,
 * and — a send — was not refused in a way a new attempt would meet again ({@link NOT_RESUMED_SEND_CODES}); a receive
 * knows the folder it wrote into. Whether it is running now, whether its peer and files match, and the current
 * policy are for the caller to check.
 */
export function canResume (record: ResumableRecord): boolean {
  if (!RESUMABLE_STATES.includes(record.state) || record.acceptedAt == null) return false
  if (record.direction === 'send') return record.errorCode == null || !NOT_RESUMED_SEND_CODES.includes(record.errorCode)
  return record.destDir != null
}

/**
 * How a transfer that did not complete is recorded, by what ended it (docs/PROTOCOL.md §11): the rows of the table
 * that `outcomeOf` (./outcome.ts) matches an error against, first match wins.
 */
export const ENDING_STATES = {
  /** This side paused it (code `paused`): resumable. */
  pausedHere: 'interrupted',
  /** This side cancelled it, or the app stopped. */
  cancelledHere: 'cancelled',
  /** The stream closed or was reset before the end: the connection dropped, the peer went away. */
  connectionLost: 'interrupted',
  /** A local write failed because the disk is full: the partial file is kept to resume once there is room. */
  diskFull: 'interrupted',
  /** A local failure or protocol violation: the peer is told its code. */
  localFailure: 'failed'
} as const satisfies Record<string, TransferState>

/**
 * The state a transfer is recorded in when the peer ended it with `code` (a `reject` or `error` message,
 * docs/PROTOCOL.md §11): `declined` → declined, `cancelled` → cancelled, `paused` → interrupted (resumable); any other
 * code → failed.
 */
export function stateOfPeerCode (code: string): TransferState {
  return code === 'declined' ? 'declined' : code === 'cancelled' ? 'cancelled' : code === 'paused' ? 'interrupted' : 'failed'
}
