import { FerryError } from '../errors/index.ts'

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

/** The remote peer ended the transfer with a `reject` or `error` message; `code` is the one it sent. */
export class RemoteError extends FerryError {
  static override name = 'RemoteError'
  constructor (code: string, message: string) {
    super(code, message)
  }
}

/** A local failure during a transfer, with one of the wire {@link ErrorCode}s so it can be reported to the peer. */
export class TransferError extends FerryError {
  static override name = 'TransferError'
  constructor (code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}
