/**
 * Raw SQLite row shapes and their mapping to the camelCase records of `types.ts`. `NULL` columns become absent
 * optional properties.
 */
import { isFailureReason } from '../errors/index.ts'
import { isDeviceKind } from '../protocol/index.ts'
import type { TransferKind } from '../protocol/index.ts'
import type {
  Contact, TransferDirection, TransferFileRecord, TransferFileState, TransferRecord, TransferState
} from './types.ts'

/** A row of `transfers` as SQLite returns it. */
export interface TransferRow {
  id: string
  direction: TransferDirection
  peer_id: string
  state: TransferState
  total_bytes: number
  transferred_bytes: number
  file_count: number
  transport: string | null
  remote_addr: string | null
  dest_dir: string | null
  error_code: string | null
  error_message: string | null
  error_reason: string | null
  error_peer_message: string | null
  created_at: number
  updated_at: number
  finished_at: number | null
  accepted_at: number | null
  kind: string
  text: string | null
  /** Not a column: counted from `transfer_files` by the repository's selects. */
  skipped_files?: number
}

/** A row of `transfer_files` as SQLite returns it. */
export interface TransferFileRow {
  transfer_id: string
  idx: number
  rel_path: string
  size: number
  bytes_done: number
  sha256: string | null
  local_path: string | null
  state: TransferFileState
}

/** A row of `contacts` as SQLite returns it. */
export interface ContactRow {
  peer_id: string
  name: string
  added_at: number
  last_seen_at: number | null
  addrs: string
  trusted: number
  blocked: number
  device: string | null
  relay_addrs: string | null
}

export function toTransfer (row: TransferRow): TransferRecord {
  const rec: TransferRecord = {
    id: row.id,
    direction: row.direction,
    peerId: row.peer_id,
    state: row.state,
    totalBytes: row.total_bytes,
    transferredBytes: row.transferred_bytes,
    fileCount: row.file_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    // A kind a later version wrote reads as files (with no text, nothing to show but the files it lists).
    kind: row.kind === 'text' ? 'text' : 'files' satisfies TransferKind
  }
  if (row.transport !== null) rec.transport = row.transport
  if (row.remote_addr !== null) rec.remoteAddr = row.remote_addr
  if (row.dest_dir !== null) rec.destDir = row.dest_dir
  if (row.error_code !== null) rec.errorCode = row.error_code
  if (row.error_message !== null) rec.errorMessage = row.error_message
  // A value this version does not know (written by a newer Ferry) reads as no reason.
  if (isFailureReason(row.error_reason)) rec.errorReason = row.error_reason
  if (row.error_peer_message !== null) rec.errorPeerMessage = row.error_peer_message
  if (row.finished_at !== null) rec.finishedAt = row.finished_at
  if (row.accepted_at !== null) rec.acceptedAt = row.accepted_at
  if (row.text !== null) rec.text = row.text
  if (row.skipped_files != null && row.skipped_files > 0) rec.skippedFiles = row.skipped_files
  return rec
}

export function toTransferFile (row: TransferFileRow): TransferFileRecord {
  const rec: TransferFileRecord = {
    transferId: row.transfer_id,
    index: row.idx,
    relPath: row.rel_path,
    size: row.size,
    bytesDone: row.bytes_done,
    state: row.state
  }
  if (row.sha256 !== null) rec.sha256 = row.sha256
  if (row.local_path !== null) rec.localPath = row.local_path
  return rec
}

export function toContact (row: ContactRow): Contact {
  const contact: Contact = {
    peerId: row.peer_id,
    name: row.name,
    addedAt: row.added_at,
    addrs: parseAddrs(row.addrs),
    trusted: row.trusted !== 0,
    blocked: row.blocked !== 0
  }
  if (row.last_seen_at !== null) contact.lastSeenAt = row.last_seen_at
  // A value a later version wrote, or a hand edit, reads as unknown.
  if (isDeviceKind(row.device)) contact.device = row.device
  if (row.relay_addrs !== null) contact.relayAddrs = parseAddrs(row.relay_addrs)
  return contact
}

/** The `addrs` JSON column as a string array; anything malformed reads as no addresses rather than throwing. */
export function parseAddrs (json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string') : []
  } catch {
    return []
  }
}
