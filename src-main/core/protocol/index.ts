/**
 * The Ferry transfer protocol, `/ferry/transfer/1.0.0`: framing, message schemas, limits and error codes.
 * `docs/PROTOCOL.md` is the specification; this module is its executable form and the only code that turns bytes
 * from a peer into messages.
 *
 * @example
 * ```ts
 * import { encodeControl, FrameDecoder } from './protocol/index.ts'
 * const decoder = new FrameDecoder()
 * const frames = decoder.push(encodeControl({ type: 'done' }))
 * // frames: [{ kind: 'control', message: { type: 'done' } }]
 * ```
 */
export * from './constants.ts'
export { encodeControl, encodeData, decodeControl, FrameDecoder } from './codec.ts'
export type { Frame } from './codec.ts'
export * from './messages.ts'
export { ProtocolError, RemoteError, TransferError } from './errors.ts'
export type { ErrorCode, RemoteFacts } from './errors.ts'
