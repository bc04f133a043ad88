/**
 * The shapes of the transfer service's surface: its options, the options of a send, and its events.
 */
import type { FailureReason } from '../errors/index.ts'
import type { DeviceKind } from '../protocol/index.ts'
import type { ConnectionInfo, FerryLibp2p } from '../node/index.ts'
import type { Store, TransferRecord } from '../store/index.ts'
import type { TransferState } from './lifecycle.ts'
import type { OfferLimits } from './offer-budget.ts'
import type { SharedReads } from './shared-reads.ts'
import type { TransferTimeouts } from './timeouts.ts'
import type { IncomingOffer, OfferDecision, PeerStanding, TransferProgress, TransferResult } from './types.ts'

/** Events of a `TransferService`. */
export interface TransferEvents {
  /**
   * A validated incoming offer that got a place among the offers waiting for a decision, before it is decided (offers
   * refused by the peer's standing or answered `busy` never get here).
   */
  offer: [IncomingOffer]
  /** A new incoming offer was accepted and recorded; its data follows (a resumed one emits `resuming` instead). */
  accepted: [IncomingOffer]
  /**
   * An incoming offer was declined, or expired with nobody answering (`code` `timeout`); `record` is its record when
   * it is recorded (a contact's offer: ./incoming-record.ts).
   */
  declined: [IncomingOffer, { code: 'declined' | 'timeout', reason?: string, record?: TransferRecord }]
  /** A transfer resumes (either side), with the bytes that will not be sent again. */
  resuming: [{ transferId: string, direction: 'send' | 'receive', peerId: string, skippedBytes: number }]
  progress: [TransferProgress]
  /**
   * A transfer in either direction completed and verified, with its final record (state `completed`; undefined only
   * when the store closed meanwhile, as the service stops).
   */
  complete: [TransferResult, TransferRecord | undefined]
  /** A transfer in either direction ended without completing. */
  failed: [TransferFailure]
}

/** What the `failed` event tells: how a transfer ended without completing, and how it is recorded. */
export interface TransferFailure {
  /** Unset when it failed before it had one (its files could not be read, a receive refused before its offer). */
  transferId?: string
  direction: 'send' | 'receive'
  peerId: string
  code: string
  /** Why a file operation failed (`write-failed`: `disk-full`, …), here or — told by the peer — there. */
  reason?: FailureReason
  /** The words the peer sent with its `reject` or `error` (a decline's reason): peer-supplied text. */
  peerMessage?: string
  message: string
  /** How this attempt ended (./lifecycle.ts, ./outcome.ts); a recorded one is recorded in this state. */
  state: TransferState
  /** Its final record in the history; unset when it is not recorded (./incoming-record.ts, a send before its offer). */
  record?: TransferRecord
}

/** Options of `TransferService`. */
export interface TransferServiceInit {
  node: FerryLibp2p
  store: Store
  /** Folder incoming files are written into. */
  downloadDir: string
  /** Decides incoming offers (a prompt, `--yes`, or a trust policy). Without it every offer is declined. */
  decide?: (offer: IncomingOffer, signal: AbortSignal) => Promise<OfferDecision>
  /**
   * The receive policy's standing of a peer (contact or not, refused or not), asked whenever an offer arrives — for
   * the budget of waiting offers it counts against, whether it is recorded when not accepted, and whether a resumed
   * transfer may go on (e.g. `contacts.peerStanding`). Default: every peer is a stranger, none is refused.
   */
  classify?: (peerId: string) => PeerStanding
  /** Limits of the offers waiting for a decision (defaults: ./constants.ts). */
  offerLimits?: Partial<OfferLimits>
  /** Display name sent with offers. */
  displayName?: string
  /** Kind of device sent with offers (`senderDevice`, display only). */
  deviceKind?: DeviceKind
  /** Shorter timeouts (tests), in ms. */
  timeouts?: Partial<TransferTimeouts>
  /**
   * Whether a peer is blocked, asked for every incoming transfer stream before its offer is read (the connection
   * gater runs only when a connection opens; the block list may change in another process meanwhile). A blocked
   * peer's stream is reset and its connections closed; nothing is recorded.
   */
  isBlocked?: (peerId: string) => boolean
  /** Upload speed limit of all sends together, bytes per second (./rate-limit.ts); unset for none. */
  uploadBytesPerSecond?: number
}

/** Options of `TransferService.send`. */
export interface SendOptions {
  signal?: AbortSignal
  /**
   * The transfer's ID, chosen by the caller so a UI can show it before the offer is made: the ID `findSendToResume`
   * gave for these files and this peer (the send resumes it), or a new UUID. Given, the service does not look for a
   * send to resume itself; not given, it looks once, at the first connection (docs/PROTOCOL.md §8).
   */
  transferId?: string
  /** Called once the connection that carries the data is up. */
  onConnected?: (info: ConnectionInfo) => void
  /** Called before a dial retry. */
  onRetry?: (attempt: number, err: unknown) => void
  /** Called with the paths that were skipped (symbolic links, special files). */
  onSkipped?: (paths: string[]) => void
  /**
   * After the connection drops mid-transfer, keep trying to reach the peer and resume for this long, in ms
   * (default 0: fail with the interruption). A transfer never interrupted is not retried.
   */
  retryForMs?: number
  /**
   * Called when the transfer will be resumed over a new connection, with the attempt number and what ended the
   * attempt: the connection dropped (`StreamClosedError`, code `interrupted`) or data stopped moving on it
   * (`ConnectionStalledError`, code `timeout`: docs/PROTOCOL.md §10).
   */
  onInterrupted?: (attempt: number, err: unknown) => void
  /** Upload speed limit of this send alone, bytes per second (on top of the service's limit of all sends). */
  limitBytesPerSecond?: number
  /**
   * Blocks shared with the sends of the same files to other recipients (`new SharedReads(n)`, ./shared-reads.ts); the
   * caller calls its `leave()` once this send has ended.
   */
  sharedReads?: SharedReads
}
