import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { partialFolderOf } from '../paths/index.ts'
import { BLOCK_BYTES } from '../protocol/index.ts'
import type { Offer } from '../protocol/index.ts'
import type { Store, TransferFileRecord, TransferRecord } from '../store/index.ts'
import { canResume } from './lifecycle.ts'
import type { LocalFile } from './local-files.ts'

/** Name of the temp file of file `index` of a transfer, unique per transfer and file: `<transferId>-<index>.part`. */
export function tempName (transferId: string, index: number): string {
  return `${transferId}-${index}.part`
}

/**
 * Where the temp file of file `index` of a transfer into download folder `root` lives: in the folder of partial files,
 * `<root>/.ferry-partial/<transferId>-<index>.part`, which no offered path can name (docs/PROTOCOL.md §7).
 */
export function tempPathOf (root: string, transferId: string, index: number): string {
  return join(partialFolderOf(root), tempName(transferId, index))
}

/** What the receiver knows of an earlier attempt of the offered transfer. */
export interface ReceiveResumePlan {
  record: TransferRecord
  /** Folder the earlier attempt wrote into (its temp files are there). */
  downloadDir: string
  /** Offset to accept for each file: `size` for a file already verified, else its verified partial bytes. */
  offsets: number[]
  /** Verified files kept from the earlier attempt: index → { sha256, localPath }. */
  done: Map<number, { sha256: string, localPath: string }>
  /** Bytes that will not be sent again. */
  skippedBytes: number
  /** The files the earlier attempt accepted (those not recorded `skipped`), when it accepted only some. */
  accepted?: number[]
}

function sameFiles (records: readonly TransferFileRecord[], files: ReadonlyArray<{ path: string, size: number }>): boolean {
  return records.length === files.length && records.every((r, i) => r.relPath === files[i]?.path && r.size === files[i]?.size)
}

/** Size of the regular file at `path`; undefined when it is missing or not a regular file (or, with `ownOnly`, has other names). */
async function sizeOf (path: string, ownOnly = false): Promise<number | undefined> {
  try {
    const st = await lstat(path)
    return st.isFile() && (!ownOnly || st.nlink === 1) ? st.size : undefined
  } catch {
    return undefined
  }
}

/**
 * Decides whether an offer resumes an earlier transfer: same transfer ID, from the same (authenticated) peer, with
 * the same files, accepted before and left in a resumable state. Each file resumes at its last verified block, as recorded in SQLite and
 * still present in its temp file; a file verified and placed earlier is skipped.
 *
 * @returns undefined when the offer is a new transfer; `'conflict'` when the transfer ID is known but may not resume
 */
export async function planReceiveResume (store: Store, offer: Offer, peerId: string): Promise<ReceiveResumePlan | 'conflict' | undefined> {
  const record = store.transfers.get(offer.transferId)
  if (record == null) return undefined
  const records = store.transfers.files(record.id)
  if (record.direction !== 'receive' || record.peerId !== peerId || !canResume(record) || record.destDir == null ||
    !sameFiles(records, offer.files)) return 'conflict'
  const offsets: number[] = []
  const done = new Map<number, { sha256: string, localPath: string }>()
  let skippedBytes = 0
  const accepted: number[] = []
  for (const f of records) {
    if (f.state === 'skipped') {
      offsets.push(0)
      continue
    }
    accepted.push(f.index)
    if (f.state === 'verified' && f.sha256 != null && f.localPath != null && await sizeOf(f.localPath) === f.size) {
      offsets.push(f.size)
      done.set(f.index, { sha256: f.sha256, localPath: f.localPath })
      skippedBytes += f.size
      continue
    }
    // A temp file with another name too was placed already (the process stopped between link and unlink): it is not
    // a partial file to write into (IncomingFile.open drops its temp name).
    const partial = await sizeOf(tempPathOf(record.destDir, record.id, f.index), true) ?? 0
    const verified = Math.min(f.bytesDone, partial, f.size)
    const offset = verified - (verified % BLOCK_BYTES)
    offsets.push(offset)
    skippedBytes += offset
  }
  return { record, downloadDir: record.destDir, offsets, done, skippedBytes, ...(accepted.length < records.length ? { accepted } : {}) }
}

/**
 * The ID of an earlier send of exactly these files (same paths, sizes and source files) to `peerId` that stopped in
 * a resumable state — the newest — so re-running a send resumes it.
 */
export function findSendToResume (store: Store, peerId: string, files: readonly LocalFile[]): string | undefined {
  for (const t of store.transfers.list({ peerId, direction: 'send', limit: 20 })) {
    // A send the receiver refused as invalid (e.g. it already completed it) would be refused again: start afresh.
    if (!canResume(t)) continue
    const records = store.transfers.files(t.id)
    if (records.length === files.length && records.every((r, i) => r.relPath === files[i]?.relPath && r.size === files[i]?.size && r.localPath === files[i]?.absPath)) return t.id
  }
  return undefined
}
