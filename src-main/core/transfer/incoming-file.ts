import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { constants as fsConstants, writeSync } from 'node:fs'
import { unlink } from 'node:fs/promises'
import { failureReasonOf } from '../errors/index.ts'
import type { FailureReason } from '../errors/index.ts'
import { placeFile } from '../paths/index.ts'
import { BLOCK_BYTES, TransferError } from '../protocol/index.ts'
import { OpenFile } from './open-file.ts'

/**
 * Writes of at most this many bytes are made with a synchronous call: a thread-pool round trip costs 0.1–0.3 ms on a
 * busy machine, more than writing 64 KiB into the page cache, and a small file is one such write
 * (docs/PERFORMANCE.md, "Many small files"). The temp file of a file this small is created with a synchronous call
 * too: awaited, its `open(2)` queues behind the `datasync`s of earlier files on the thread pool (docs/PERFORMANCE.md,
 * "Receiver: small files' temp files created with a synchronous call").
 */
const SYNC_WRITE_MAX_BYTES = 64 * 1024

/** Reopening a partial file (resume): read-write, and never through a symbolic link planted under its name. */
const REOPEN_FLAGS = fsConstants.O_RDWR | (fsConstants.O_NOFOLLOW ?? 0)

/** A fixed phrase per reason for the (log and peer) message of a failed write; never the system's message. */
const WHY: Record<FailureReason, string> = {
  'disk-full': 'the disk is full',
  'permission-denied': 'permission denied (is the download folder read-only?)',
  'folder-gone': 'the download folder is gone',
  'file-gone': 'the file is gone',
  'file-changed': 'the file changed',
  other: 'the file system refused it'
}

/**
 * Maps a file-system error to a `write-failed` TransferError with its typed `reason` (from the errno:
 * `failureReasonOf`); `path` is the offer's relative path. A TransferError passes as it is.
 */
export function writeError (err: unknown, path: string): TransferError {
  if (err instanceof TransferError) return err
  const reason = failureReasonOf(err, 'write')
  // `path` is the offer's relative path and the phrase never the system message (which names the local temp path):
  // the sender is told this message (outcome.ts `messageForPeer`).
  return new TransferError('write-failed', `Cannot write ${path}: ${WHY[reason]}`, { cause: err, reason })
}

/** True when `err` means the disk is full: the partial file is kept so the transfer can resume later. */
export function isDiskFull (err: unknown): boolean {
  return err instanceof TransferError && err.code === 'write-failed' && err.reason === 'disk-full'
}

/**
 * Reopens an existing temp file read-write, never through a link, and only if it is a regular file with no other name:
 * a temp file that is also linked elsewhere was placed already (the process stopped between `link` and `unlink`), and
 * writing into it would change the placed file. Such a temp name is removed and the file created afresh, exclusively
 * (`created: true`); so is a missing one.
 *
 * @throws the system error
 */
async function reopenOwn (tempPath: string): Promise<{ handle: OpenFile, created: boolean }> {
  let handle: OpenFile | undefined
  try {
    handle = await OpenFile.open(tempPath, REOPEN_FLAGS)
    const st = await handle.stat()
    if (st.isFile() && st.nlink === 1) return { handle, created: false }
    await handle.close()
    await unlink(tempPath)
  } catch (err) {
    await handle?.close().catch(() => {})
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  return { handle: await OpenFile.open(tempPath, 'wx+', 0o644), created: true }
}

async function hashPrefix (handle: OpenFile, length: number): Promise<Hash> {
  const hash = createHash('sha256')
  const buf = Buffer.allocUnsafe(BLOCK_BYTES)
  for (let pos = 0; pos < length;) {
    const bytesRead = await handle.read(buf, 0, Math.min(buf.byteLength, length - pos), pos)
    if (bytesRead === 0) break
    hash.update(buf.subarray(0, bytesRead))
    pos += bytesRead
  }
  return hash
}

/**
 * One file being received into its exclusive temp file. Bytes are written at `position`; every `BLOCK_BYTES` block
 * is checked against the sender's `block` hash before it counts as verified; a bad block rewinds the file to the
 * block's start. The whole-file SHA-256 is checked again at the end before the file is placed under its final name.
 */
export class IncomingFile {
  readonly index: number
  readonly relPath: string
  readonly size: number
  readonly dir: string
  readonly tempPath: string
  private readonly handle: OpenFile
  private fileHash: Hash
  private blockHash = createHash('sha256')
  /** Next byte offset to write. */
  position: number
  /** Bytes from the start of the file that passed block verification. */
  verified: number

  private constructor (init: { index: number, relPath: string, size: number, dir: string, tempPath: string, handle: OpenFile, fileHash: Hash, offset: number }) {
    this.index = init.index
    this.relPath = init.relPath
    this.size = init.size
    this.dir = init.dir
    this.tempPath = init.tempPath
    this.handle = init.handle
    this.fileHash = init.fileHash
    this.position = init.offset
    this.verified = init.offset
  }

  /**
   * Opens the temp file of a file: created exclusively at offset 0, or — when resuming at `offset` > 0 — the existing
   * partial file, truncated to `offset` and hashed so far. Returns whether the partial file's prefix matches
   * `prefixSha256`; when it does not, the file is reset to offset 0 (the caller asks the sender to start over). An
   * existing temp file is reopened only if it has no other name (see `reopenOwn`): a placed file is never written
   * into; otherwise, or when it is gone, the file starts over at 0 as if the prefix did not match. A new temp file of
   * at most `SYNC_WRITE_MAX_BYTES` is created with a synchronous call.
   *
   * @throws {TransferError} `write-failed`
   */
  static async open (init: { index: number, relPath: string, size: number, dir: string, tempPath: string, offset: number, prefixSha256?: string }): Promise<{ file: IncomingFile, prefixMatches: boolean }> {
    let handle: OpenFile
    let created: boolean
    try {
      // Read-write (`wx+`, not `wx`): a rewind after a bad block re-hashes the file from its temp file.
      if (init.offset > 0) {
        ({ handle, created } = await reopenOwn(init.tempPath))
      } else {
        handle = init.size <= SYNC_WRITE_MAX_BYTES ? OpenFile.openSync(init.tempPath, 'wx+', 0o644) : await OpenFile.open(init.tempPath, 'wx+', 0o644)
        created = true
      }
    } catch (err) {
      if (init.offset === 0 && (err as NodeJS.ErrnoException).code === 'EEXIST') {
        // A partial file of this transfer from an earlier attempt that is not being resumed: start it over.
        ({ handle, created } = await reopenOwn(init.tempPath).catch((e: unknown) => { throw writeError(e, init.relPath) }))
      } else {
        throw writeError(err, init.relPath)
      }
    }
    if (created && init.offset > 0) {
      // The partial file was gone or not ours to write into: the whole file is asked for again.
      const file = new IncomingFile({ ...init, handle, fileHash: createHash('sha256'), offset: 0 })
      return { file, prefixMatches: false }
    }
    try {
      // A file just created exclusively is empty already (one system call less per file: many small files).
      if (!created) await handle.truncate(init.offset)
      const fileHash = init.offset > 0 ? await hashPrefix(handle, init.offset) : createHash('sha256')
      const prefixMatches = init.offset === 0 || fileHash.copy().digest('hex') === init.prefixSha256
      const file = new IncomingFile({ ...init, handle, fileHash, offset: init.offset })
      if (!prefixMatches) await file.rewindTo(0)
      return { file, prefixMatches }
    } catch (err) {
      await handle.close().catch(() => {})
      throw writeError(err, init.relPath)
    }
  }

  /** Start of the block being received. */
  get blockStart (): number {
    return this.verified
  }

  /** Length of the block that starts at `blockStart`. */
  get blockLength (): number {
    return Math.min(BLOCK_BYTES, this.size - this.verified)
  }

  /**
   * Writes the next bytes of the file: `pieces` in order, in one positioned `writev` when there are several.
   *
   * @throws {TransferError} `size-mismatch` when they go past the offered size or the current block; `write-failed`
   */
  async write (...pieces: Uint8Array[]): Promise<void> {
    const length = pieces.reduce((n, b) => n + b.byteLength, 0)
    if (this.position + length > this.size) throw new TransferError('size-mismatch', `The sender sent more bytes than offered for ${this.relPath}`)
    if (this.position + length > this.blockStart + this.blockLength) throw new TransferError('size-mismatch', `The sender sent past a block boundary of ${this.relPath} without its block hash`)
    try {
      if (pieces.length === 1 && length <= SYNC_WRITE_MAX_BYTES) return this.writeSmall(pieces[0] as Uint8Array)
      const bytesWritten = pieces.length === 1 ? 0 : await this.handle.writev(pieces, this.position)
      // write(2)/writev(2) may write less than asked (a nearly full disk does): write the rest, or fail — never count
      // bytes that are not in the file.
      let skip = bytesWritten
      let at = this.position + bytesWritten
      for (const bytes of pieces) {
        if (skip >= bytes.byteLength) { skip -= bytes.byteLength; continue }
        for (let done = skip; done < bytes.byteLength;) {
          const written = await this.handle.write(bytes, done, bytes.byteLength - done, at)
          if (written === 0) throw new Error('the file system accepted no more bytes')
          done += written
          at += written
        }
        skip = 0
      }
    } catch (err) {
      throw writeError(err, this.relPath)
    }
    this.written(pieces, length)
  }

  /** {@link write} of one small piece, with synchronous calls. */
  private writeSmall (bytes: Uint8Array): void {
    try {
      for (let done = 0; done < bytes.byteLength;) {
        const written = writeSync(this.handle.fd, bytes, done, bytes.byteLength - done, this.position + done)
        if (written === 0) throw new Error('the file system accepted no more bytes')
        done += written
      }
    } catch (err) {
      throw writeError(err, this.relPath)
    }
    this.written([bytes], bytes.byteLength)
  }

  /** Counts and hashes bytes that are in the file. */
  private written (pieces: Uint8Array[], length: number): void {
    for (const bytes of pieces) {
      this.blockHash.update(bytes)
      this.fileHash.update(bytes)
    }
    this.position += length
  }

  /**
   * Checks the block that starts at `offset` against the sender's `sha256`. On success the block counts as verified;
   * on failure the file is rewound to the block's start.
   *
   * @throws {ProtocolError}-like TransferError `size-mismatch` when the block is incomplete or misplaced
   */
  async verifyBlock (offset: number, sha256: string): Promise<boolean> {
    if (offset !== this.blockStart || this.position !== this.blockStart + this.blockLength) {
      throw new TransferError('size-mismatch', `A block hash of ${this.relPath} arrived at offset ${offset} with ${this.position - this.blockStart} of ${this.blockLength} bytes received`)
    }
    const ok = this.blockHash.digest('hex') === sha256
    this.blockHash = createHash('sha256')
    if (ok) this.verified = this.position
    else await this.rewindTo(this.blockStart)
    return ok
  }

  /** Drops everything from `offset` on (block-aligned) and re-hashes the file up to it. */
  async rewindTo (offset: number): Promise<void> {
    try {
      await this.handle.truncate(offset)
      this.fileHash = await hashPrefix(this.handle, offset)
    } catch (err) {
      throw writeError(err, this.relPath)
    }
    this.blockHash = createHash('sha256')
    this.position = offset
    this.verified = offset
  }

  /**
   * Checks that every byte was verified and that the whole-file SHA-256 equals `sha256`; returns the SHA-256. After
   * this, only {@link IncomingFile.place} may follow.
   *
   * @throws {TransferError} `size-mismatch` or `hash-mismatch`
   */
  verify (sha256: string): string {
    if (this.verified !== this.size) throw new TransferError('size-mismatch', `The sender ended ${this.relPath} after ${this.position} of ${this.size} bytes`)
    const digest = this.fileHash.digest('hex')
    if (digest !== sha256) throw new TransferError('hash-mismatch', `${this.relPath} arrived corrupted (SHA-256 mismatch); it was not saved`)
    return digest
  }

  /**
   * Places a file that passed {@link IncomingFile.verify}: {@link IncomingFile.sync}, then {@link IncomingFile.link}.
   * Returns the final path.
   *
   * @throws {TransferError} `write-failed` (the temp file is closed and left where it is)
   */
  async place (): Promise<string> {
    await this.sync()
    return await this.link()
  }

  /**
   * Syncs a verified file's data to disk (`datasync`) and closes it.
   *
   * @throws {TransferError} `write-failed` (the temp file is closed and left where it is)
   */
  async sync (): Promise<void> {
    try {
      await this.handle.datasync()
      await this.handle.close()
    } catch (err) {
      await this.close()
      throw writeError(err, this.relPath)
    }
  }

  /**
   * Links a synced file under its final name — never over an existing file — and removes the temp name. Returns the
   * final path.
   *
   * @throws {TransferError} `write-failed` (the temp file is left where it is)
   */
  async link (): Promise<string> {
    try {
      return await placeFile(this.tempPath, this.dir, this.relPath.split('/').at(-1) ?? this.relPath)
    } catch (err) {
      throw writeError(err, this.relPath)
    }
  }

  /**
   * Completes the file: {@link IncomingFile.verify}, then {@link IncomingFile.place}. Returns the SHA-256 and the
   * final path.
   *
   * @throws {TransferError} `size-mismatch`, `hash-mismatch` or `write-failed`
   */
  async finish (sha256: string): Promise<{ sha256: string, localPath: string }> {
    const digest = this.verify(sha256)
    return { sha256: digest, localPath: await this.place() }
  }

  /** Closes the temp file, keeping it (for resume). */
  async close (): Promise<void> {
    await this.handle.close().catch(() => {})
  }
}
