import { FerryError } from '../errors/index.ts'
import type { FailureReason } from '../errors/index.ts'

/**
 * Error codes that cross the wire in `reject` and `error` messages (docs/PROTOCOL.md, "Error codes").
 */
export const ERROR_CODES = [
  'declined', 'invalid-offer', 'insufficient-space', 'busy',
  'protocol-error', 'size-mismatch', 'hash-mismatch', 'write-failed', 'read-failed', 'unsafe-path',
  'cancelled', 'timeout', 'internal'
] as const
export type ErrorCode = typeof ERROR_CODES[number]

/** The peer broke the protocol: a malformed frame, an unexpected or invalid message, a limit exceeded. */
export class ProtocolError extends FerryError {
  static override name = 'ProtocolError'
  constructor (message: string, options?: ErrorOptions) {
    super('protocol-error', message, options)
  }
}

/** What the peer said besides its code, in a `reject` or `error` message. */
export interface RemoteFacts {
  /** The `reason` of its `error` message, when it sent a known one (docs/PROTOCOL.md §4, "error"). */
  reason?: FailureReason
  /** The text it sent (`message`): peer-supplied, untrusted, show as text only. A decline's words are this. */
  peerMessage?: string
}

/**
 * The remote peer ended the transfer with a `reject` or `error` message; `code` is the one it sent, `reason` and
 * `peerMessage` what it said besides (never parsed out of `message`, which is written for logs).
 */
export class RemoteError extends FerryError {
  static override name = 'RemoteError'
  readonly reason: FailureReason | undefined
  readonly peerMessage: string | undefined
  constructor (code: string, message: string, facts: RemoteFacts = {}) {
    super(code, message)
    this.reason = facts.reason
    this.peerMessage = facts.peerMessage
  }
}

/**
 * A local failure during a transfer, with one of the wire {@link ErrorCode}s so it can be reported to the peer, and —
 * for a file operation that failed (`write-failed`, `read-failed`) — its typed `reason` (from the errno).
 */
export class TransferError extends FerryError {
  static override name = 'TransferError'
  readonly reason: FailureReason | undefined
  constructor (code: ErrorCode, message: string, options?: ErrorOptions & { reason?: FailureReason }) {
    super(code, message, options)
    this.reason = options?.reason
  }
}
