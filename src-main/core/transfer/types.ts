import type { ConnectionInfo } from '../node/index.ts'
import type { DeviceKind } from '../protocol/index.ts'

/** A file in an offer as shown to the person deciding: its relative path and size in bytes. */
export interface OfferedFile {
  path: string
  size: number
}

/** An incoming offer, validated (schema, limits, every path through the path-safety module) before it is shown. */
export interface IncomingOffer {
  transferId: string
  /** Peer ID of the sender, authenticated by the connection's Noise handshake. */
  peerId: string
  /** Display name the sender gave; peer-supplied text, show it as text only. */
  senderName?: string
  /** Kind of device the sender says it is; peer-supplied, display only. */
  senderDevice?: DeviceKind
  files: OfferedFile[]
  /** Sum of the file sizes, bytes (a text snippet: its UTF-8 length). */
  totalBytes: number
  connection: ConnectionInfo
  /** `text` for a text snippet (no files); absent for files. */
  kind?: 'text'
  /**
   * A text snippet's text: at most `MAX_TEXT_BYTES` of well-formed UTF-8, otherwise as the peer sent it (control and
   * bidi characters included): show it through the text filters (`printable`, `cleanText`) only.
   */
  text?: string
  /**
   * Set only when the whole offer does not fit: the bytes the download folder can still take for it (free space less
   * what transfers accepted before will still write). Accepting files of more bytes than this fails with
   * `insufficient-space`; the person can choose files that fit (an offer whose smallest file does not fit either is
   * refused before anyone is asked).
   */
  freeBytes?: number
}

/**
 * The receiving side's answer to an offer; `code` is `busy` when it was refused unseen (too many pending offers),
 * `timeout` when nobody answered an offer from a peer that is not a contact in time (`STRANGER_OFFER_WAIT_MS`).
 */
export type OfferDecision = {
  accept: true
  /**
   * The files accepted, by index in the offer: strictly increasing, each below the offer's file count, at least one
   * (`acceptedSubsetProblem`); absent: every file. Sent as `accept.files` (docs/PROTOCOL.md §4 "accept").
   */
  files?: number[]
} | { accept: false, reason?: string, code?: 'declined' | 'busy' | 'timeout' }

/**
 * What the receiving side's policy says of a peer, asked whenever an offer from it arrives (new or resumed). It decides
 * which budget of waiting offers the offer counts against, whether an offer that is not accepted is kept in the
 * history, and whether the peer may send at all. The peer ID is the one the connection authenticated.
 */
export interface PeerStanding {
  /** The peer is one of this side's contacts (trusted or not). */
  contact: boolean
  /**
   * Set when the policy refuses every offer of this peer now — it is blocked, or only contacts may send: the offer, even
   * one resuming an accepted transfer, is answered `reject` with this code and reason, unseen and unrecorded.
   */
  refused?: { code: 'declined', reason: string }
}

/** The standing of a peer when nothing is known: not a contact, not refused. */
export const STRANGER: PeerStanding = Object.freeze({ contact: false })

/** Live progress of a transfer, emitted at most every `PROGRESS_INTERVAL_MS`. */
export interface TransferProgress {
  transferId: string
  direction: 'send' | 'receive'
  peerId: string
  /** Bytes sent (sender) or written and hashed (receiver) so far, all files together. */
  transferredBytes: number
  totalBytes: number
  /** Index in the offer of the file in flight, and its path. */
  fileIndex: number
  filePath: string
  fileCount: number
  bytesPerSecond: number
  /** Estimated ms left; undefined while the speed is unknown. */
  etaMs?: number
}

/** A file of a finished transfer. */
export interface TransferredFile {
  path: string
  size: number
  sha256: string
  /** Receiver only: where the file was placed (may differ from `path` when a file of that name existed). */
  localPath?: string
}

/** The result of a completed transfer. */
export interface TransferResult {
  transferId: string
  direction: 'send' | 'receive'
  peerId: string
  files: TransferredFile[]
  totalBytes: number
  /** From the offer to the end, ms (includes the time the receiver took to decide). */
  durationMs: number
  /** From the accept to the end, ms: the time the bytes took. */
  transferMs: number
  /** Bytes not sent again because the receiver had them verified from an earlier attempt (resume). */
  skippedBytes?: number
  connection: ConnectionInfo
  /** `text` for a text snippet (no files), with its text (peer-supplied on a receive: show it filtered). */
  kind?: 'text'
  text?: string
  /**
   * Sender only, when the receiver accepted only some files (`accept.files`, docs/PROTOCOL.md): the offered paths it
   * did not take. `files` and `totalBytes` then cover the accepted files only.
   */
  notAccepted?: string[]
}

/**
 * A transfer that ended without completing, as the service's `failed` event tells it: the typed facts of its error
 * (`code`, `reason`, the peer's own words), never to be read out of `message` (a local message, for logs).
 */

/** Interval between progress events and throttled progress writes to SQLite, in ms. */
export const PROGRESS_INTERVAL_MS = 250
