import { AbortedError, errorMessage, FerryError, PausedError } from '../errors/index.ts'
import { ProtocolError, RemoteError, TransferError } from '../protocol/index.ts'
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

/**
 * How a transfer that did not complete is recorded, and what (if anything) the peer is told: the single mapping from
 * an error to a final state (the states of ./lifecycle.ts `ENDING_STATES` and `stateOfPeerCode`), shared by both sides
 * so they agree. Send the peer {@link messageForPeer}, never `message`.
 */
export function outcomeOf (err: unknown, signal?: AbortSignal): { state: TransferState, code: string, message: string, tellPeer: boolean } {
  // Whatever surfaced first when our own signal aborted (an AbortedError, a stream error), the reason decides.
  if (signal?.aborted === true) {
    if (signal.reason instanceof PausedError) return { state: ENDING_STATES.pausedHere, code: 'paused', message: signal.reason.message, tellPeer: true }
    return { state: ENDING_STATES.cancelledHere, code: 'cancelled', message: 'The transfer was cancelled', tellPeer: true }
  }
  const message = errorMessage(err)
  if (err instanceof StreamClosedError) return { state: ENDING_STATES.connectionLost, code: err.code, message, tellPeer: false }
  // A full disk is not the transfer's fault: keep what was verified, so it resumes once there is room.
  if (err instanceof TransferError && isDiskFull(err)) return { state: ENDING_STATES.diskFull, code: err.code, message, tellPeer: true }
  if (err instanceof AbortedError) return { state: ENDING_STATES.cancelledHere, code: 'cancelled', message: 'The transfer was cancelled', tellPeer: true }
  if (err instanceof RemoteError) return { state: stateOfPeerCode(err.code), code: err.code, message, tellPeer: false }
  if (err instanceof ProtocolError) return { state: ENDING_STATES.localFailure, code: err.code, message, tellPeer: true }
  if (err instanceof FerryError) return { state: ENDING_STATES.localFailure, code: err.code, message, tellPeer: true }
  return { state: ENDING_STATES.localFailure, code: 'internal', message, tellPeer: true }
}
