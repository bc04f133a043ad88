import { AbortedError, errorMessage, FerryError, PausedError } from '../errors/index.ts'
import { ProtocolError, RemoteError, TransferError } from '../protocol/index.ts'
import type { TransferErrorInfo } from '../store/index.ts'
import { StreamClosedError } from './channel.ts'
import { isDiskFull } from './incoming-file.ts'
import { ENDING_STATES, stateOfPeerCode } from './lifecycle.ts'
import type { TransferState } from './lifecycle.ts'

/**
 * The message the peer is told with an `error` frame for `code`. Local messages can name local paths (a failed read
 * names the sender's file; a generic file-system error names a temp path) that the other side has no business seeing,
 * so only messages built from what the peer already knows pass as they are: protocol errors (about the peer's own
 * messages), cancel and pause, and `write-failed` (built from the offer's relative path and a fixed reason, see
 * `writeError`). Every other code gets a fixed text.
 */
export function messageForPeer (err: unknown, code: string, message: string): string {
  if (err instanceof ProtocolError || code === 'cancelled' || code === 'paused' || code === 'write-failed') return message
  if (code === 'read-failed') return 'The sender could not read one of its files'
  return `The other side could not go on (${code})`
}

/** How a transfer that did not complete is recorded, and whether the peer is told (see {@link outcomeOf}). */
export interface Outcome {
  state: TransferState
  code: string
  /** The local message, for the record and logs (may name local paths: never sent as it is). */
  message: string
  /** What is recorded: the code, the message and the typed facts (`reason`, the peer's own words). */
  error: TransferErrorInfo
  tellPeer: boolean
}

/** The typed facts an error carries besides its code: a `TransferError`'s or `RemoteError`'s reason, the peer's words. */
function factsOf (err: unknown): Pick<TransferErrorInfo, 'reason' | 'peerMessage'> {
  if (err instanceof TransferError) return err.reason == null ? {} : { reason: err.reason }
  if (err instanceof RemoteError) {
    return { ...(err.reason == null ? {} : { reason: err.reason }), ...(err.peerMessage == null ? {} : { peerMessage: err.peerMessage }) }
  }
  return {}
}

/**
 * How a transfer that did not complete is recorded, and what (if anything) the peer is told: the single mapping from
 * an error to a final state (the states of ./lifecycle.ts `ENDING_STATES` and `stateOfPeerCode`), shared by both sides
 * so they agree. Send the peer {@link messageForPeer}, never `message`, with `error.reason` (docs/PROTOCOL.md §11).
 */
export function outcomeOf (err: unknown, signal?: AbortSignal): Outcome {
  const end = (state: TransferState, code: string, message: string, tellPeer: boolean, facts: Pick<TransferErrorInfo, 'reason' | 'peerMessage'> = {}): Outcome =>
    ({ state, code, message, tellPeer, error: { code, message, ...facts } })
  // Whatever surfaced first when our own signal aborted (an AbortedError, a stream error), the reason decides.
  if (signal?.aborted === true) {
    if (signal.reason instanceof PausedError) return end(ENDING_STATES.pausedHere, 'paused', signal.reason.message, true)
    return end(ENDING_STATES.cancelledHere, 'cancelled', 'The transfer was cancelled', true)
  }
  const message = errorMessage(err)
  if (err instanceof StreamClosedError) return end(ENDING_STATES.connectionLost, err.code, message, false)
  // A full disk is not the transfer's fault: keep what was verified, so it resumes once there is room.
  if (isDiskFull(err)) return end(ENDING_STATES.diskFull, (err as TransferError).code, message, true, factsOf(err))
  if (err instanceof AbortedError) return end(ENDING_STATES.cancelledHere, 'cancelled', 'The transfer was cancelled', true)
  if (err instanceof RemoteError) return end(stateOfPeerCode(err.code), err.code, message, false, factsOf(err))
  if (err instanceof ProtocolError) return end(ENDING_STATES.localFailure, err.code, message, true)
  if (err instanceof FerryError) return end(ENDING_STATES.localFailure, err.code, message, true, factsOf(err))
  return end(ENDING_STATES.localFailure, 'internal', message, true)
}
