/**
 * Transfers: sending files and folders to a peer and receiving them, over the Ferry transfer protocol
 * (`/ferry/transfer/1.0.0`, docs/PROTOCOL.md) on a direct libp2p connection — a WebRTC DataChannel or TCP.
 *
 * The receiver validates the whole offer before showing it, writes each file to an exclusive temp file, checks its
 * SHA-256 and only then renames it into place (never over an existing file). Flow control is end to end: the sender
 * keeps at most `WINDOW_BYTES` unacknowledged by the receiver's disk. Both sides record the transfer in SQLite,
 * with progress written while it runs; the receiver records an offer only once accepted, or — from a contact — once it
 * ends (`incoming-record.ts`). Offers waiting for a decision are limited per peer and per class, contacts and other
 * peers each with their own budget (`offer-budget.ts`); the service's `classify` says which class a peer is in.
 *
 * The two sides read like docs/PROTOCOL.md §5: `sender.ts` (a send session, one method per Sender step) and
 * `receiver.ts` + `receive-frames.ts` (a receive session: steps 1–5, then one handler per message). The states a
 * transfer is recorded in — terminal, unfinished, resumable, and how an ending is recorded — are `lifecycle.ts`'s.
 * A file to send has one shape, `LocalFile`, checked where it enters (`local-files.ts`). Upload limits are token
 * buckets the sender waits on before each data frame (`rate-limit.ts`: one per send, one for all sends of the
 * service); sends of the same files to several recipients share their reads (`shared-reads.ts`).
 *
 * @example
 * ```ts
 * const transfers = new TransferService({ node, store, downloadDir, decide: async () => ({ accept: true }) })
 * await transfers.start()
 * transfers.on('progress', p => console.log(p.transferredBytes, '/', p.totalBytes))
 * const result = await transfers.send(multiaddr(peerAddr), ['./photos'], { signal })
 * ```
 */
export { TransferService, TRANSFER_HANDLER_OPTIONS } from './service.ts'
export type { SendOptions, TransferEvents, TransferFailure, TransferServiceInit } from './service.ts'
export {
  canResume, isTerminal, isUnfinished, stateOfPeerCode,
  TERMINAL_STATES, TRANSFER_STATES, UNFINISHED_STATES
} from './lifecycle.ts'
export type { ResumableRecord, TransferState } from './lifecycle.ts'
export type { OfferLimits } from './offer-budget.ts'
export type { SendInit } from './sender.ts'
export { findSendToResume, tempName } from './resume.ts'
export type { ReceiveResumePlan } from './resume.ts'
export { RESUME_RETRY_FOR_MS } from './constants.ts'
export type { TransferTimeouts } from './timeouts.ts'
export type { ReceiveInit } from './receiver.ts'
export { collectFiles } from './local-files.ts'
export type { LocalFile } from './local-files.ts'
export { sourceChange, stampSource } from './source-stamp.ts'
export type { SourceStamp } from './source-stamp.ts'
export { StreamClosedError, FrameChannel } from './channel.ts'
export { SpeedMeter } from './speed.ts'
export type { Throttle } from './rate-limit.ts'
export { SharedReads } from './shared-reads.ts'
export { ProgressReporter } from './progress.ts'
export * from './types.ts'
