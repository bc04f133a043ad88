import type { DeviceKind, TransferKind } from '../protocol/index.ts'

/**
 * Row types of the store, as camelCase TypeScript shapes. Times are ms since the Unix epoch; sizes are bytes.
 * A SQL `NULL` becomes an absent optional property (never `null`).
 */

import type { FailureReason } from '../errors/index.ts'
import type { TransferState } from '../transfer/lifecycle.ts'

/** Which side of a transfer this machine is on. */
export type TransferDirection = 'send' | 'receive'

/** Life cycle of a transfer: its states, and which are terminal, unfinished or resumable, are in `transfer/lifecycle.ts`. */
export type { TransferState }

/** Life cycle of one file of a transfer. */
export type TransferFileState = 'pending' | 'transferring' | 'verified' | 'failed' | 'skipped'

/** One transfer (a row of `transfers`). */
export interface TransferRecord {
  id: string
  direction: TransferDirection
  /** The remote peer ID. */
  peerId: string
  state: TransferState
  /** Sum of the file sizes, bytes. */
  totalBytes: number
  /** Bytes sent or received so far. */
  transferredBytes: number
  fileCount: number
  /** e.g. `tcp`, `webrtc`, `circuit-relay`. */
  transport?: string
  /** The multiaddr of the remote end of the connection. */
  remoteAddr?: string
  /** Receiver only: the folder files are placed in. */
  destDir?: string
  /** Why the transfer reached its current state (a `FerryError` code), if it ended badly. */
  errorCode?: string
  /** The local message of that error, for logs (may name local paths; people read words made from the code). */
  errorMessage?: string
  /** Why a file operation failed (`write-failed` with `disk-full`, …): one of the core's `FAILURE_REASONS`. */
  errorReason?: FailureReason
  /** The words the peer sent with its `reject` or `error` (a decline's reason): peer-supplied, show as text only. */
  errorPeerMessage?: string
  createdAt: number
  updatedAt: number
  /** Set when the transfer entered a terminal state. */
  finishedAt?: number
  /** When the transfer was first accepted (entered `transferring`); unset for one never accepted. */
  acceptedAt?: number
  /** `files`, or `text`: a text snippet (no files; its text in {@link TransferRecord.text}). */
  kind: TransferKind
  /** A text snippet's text, as sent (peer-supplied on a receive: show through the text filters only). */
  text?: string
  /** How many of its files the receiver did not accept (recorded `skipped`, docs/PROTOCOL.md `accept.files`); absent: none. */
  skippedFiles?: number
}

/** One file of a transfer (a row of `transfer_files`). */
export interface TransferFileRecord {
  transferId: string
  /** Position of the file in the offer, from 0. */
  index: number
  /** Path relative to the transfer root, `/`-separated. */
  relPath: string
  /** Bytes. */
  size: number
  bytesDone: number
  /** Lower-case hex SHA-256 of the content, once known. */
  sha256?: string
  /** Sender: the absolute source path. Receiver: the final absolute path once the file is placed. */
  localPath?: string
  state: TransferFileState
}

/** A known peer (a row of `contacts`). */
export interface Contact {
  peerId: string
  /** The name the user gave the contact. */
  name: string
  /** The kind of device the contact says it is (its invite or its latest offer), when known. Display only. */
  device?: DeviceKind
  addedAt: number
  lastSeenAt?: number
  /** Multiaddrs the peer was last seen at, newest first. */
  addrs: string[]
  trusted: boolean
  blocked: boolean
  /**
   * Set when the contact relays for its contacts (identify showed circuit-relay-v2's HOP protocol): its reachable
   * direct multiaddrs, each ending in `/p2p/<its peer ID>`, where this peer can reserve and be relayed.
   */
  relayAddrs?: string[]
}

/** A file as given to `transfers.create`. */
export interface NewTransferFile {
  relPath: string
  size: number
  localPath?: string
}

/** Input of `transfers.create`; files get indexes 0…n-1 in array order. */
export interface NewTransfer {
  id: string
  direction: TransferDirection
  peerId: string
  state: TransferState
  totalBytes: number
  fileCount: number
  transport?: string
  remoteAddr?: string
  destDir?: string
  files: NewTransferFile[]
  /** `text` for a text snippet (default `files`), with its text. */
  kind?: TransferKind
  text?: string
}

/** Fields `transfers.update` may change; an absent field is left as it is. */
export interface TransferPatch {
  transport?: string
  remoteAddr?: string
  destDir?: string
  /** The bytes the transfer covers: a sender sets the accepted total when the receiver accepted only some files. */
  totalBytes?: number
}

/** The reason for a transfer's state, stored with `transfers.setState`. */
export interface TransferErrorInfo {
  code: string
  message: string
  /** Why a file operation failed (from the errno, or the peer's `error.reason`). */
  reason?: FailureReason
  /** The words the peer sent with its `reject` or `error`: peer-supplied text. */
  peerMessage?: string
}

/** Progress of one file for `transfers.recordProgress`; an absent `state` is left as it is. */
export interface FileProgress {
  index: number
  bytesDone: number
  state?: TransferFileState
}

/** Outcome of one file for `transfers.fileDone`; absent `sha256`/`localPath` keep the stored value. */
export interface FileOutcome {
  sha256?: string
  localPath?: string
  state: TransferFileState
}

/** Filters of `transfers.list`. */
export interface ListTransfersOptions {
  peerId?: string
  direction?: TransferDirection
  /** At most this many rows (default: all). */
  limit?: number
}

/** Input of `contacts.upsert`; absent optional fields keep the stored value (or the default for a new contact). */
export interface ContactInput {
  peerId: string
  name: string
  device?: DeviceKind
  addrs?: string[]
  trusted?: boolean
  blocked?: boolean
}
