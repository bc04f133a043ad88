/**
 * What a file to send was when it was queued (the outbox): its size, its modification time and the SHA-256 of its
 * first block, so that a file changed or deleted before the send is offered is reported instead of sent stale. The
 * first block is {@link BLOCK_BYTES} (the protocol's block size, docs/PROTOCOL.md §4 "block"), or the whole file when it is shorter: one read,
 * whatever the file's size.
 */
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { failureReasonOf } from '../errors/index.ts'
import type { FailureReason } from '../errors/index.ts'
import { BLOCK_BYTES } from '../protocol/index.ts'
import { SourcePathError } from './local-files.ts'
import type { LocalFile } from './local-files.ts'

/** A file as it was when stamped. */
export interface SourceStamp {
  /** Bytes. */
  size: number
  /** Modification time, ms since the epoch (fractional, `fs.Stats.mtimeMs`). */
  mtimeMs: number
  /** SHA-256 (hex) of the first {@link BLOCK_BYTES} bytes (all of them when shorter). */
  headSha256: string
}

/**
 * Stamps `file` (opened without following a link; it must be a regular file).
 * @throws {SourcePathError} `source-unreadable`, reason `file-gone`, `permission-denied`, `file-changed` (no longer a
 *   regular file) or `other`
 */
export async function stampSource (file: Pick<LocalFile, 'absPath' | 'relPath'>, signal?: AbortSignal): Promise<SourceStamp> {
  signal?.throwIfAborted()
  const fh = await open(file.absPath, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)).catch((err: unknown) => {
    throw new SourcePathError(`Cannot read ${file.relPath}`, { cause: err, reason: failureReasonOf(err, 'read') })
  })
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new SourcePathError(`${file.relPath} is no longer a regular file`, { reason: 'file-changed' })
    const head = Buffer.alloc(Math.min(BLOCK_BYTES, st.size))
    let got = 0
    while (got < head.length) {
      const { bytesRead } = await fh.read(head, got, head.length - got, got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return { size: st.size, mtimeMs: st.mtimeMs, headSha256: createHash('sha256').update(head.subarray(0, got)).digest('hex') }
  } finally {
    await fh.close().catch(() => {})
  }
}

/**
 * Whether `file` is still as `stamp` says: undefined when it is; `file-gone` when it is missing; `file-changed` when
 * its size, modification time or first block differ (or it is no longer a regular file); `permission-denied` or
 * `other` when it cannot be read.
 */
export async function sourceChange (file: Pick<LocalFile, 'absPath' | 'relPath'>, stamp: SourceStamp, signal?: AbortSignal): Promise<FailureReason | undefined> {
  let now: SourceStamp
  try {
    now = await stampSource(file, signal)
  } catch (err) {
    if (err instanceof SourcePathError) return err.reason
    throw err
  }
  return now.size === stamp.size && now.mtimeMs === stamp.mtimeMs && now.headSha256 === stamp.headSha256 ? undefined : 'file-changed'
}
