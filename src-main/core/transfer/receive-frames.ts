/**
 * The receiving side once it sent `accept`: docs/PROTOCOL.md §5, Receiver steps 6 and 7 — one handler per message the
 * sender may send, the rewind after a `nack` (§7), flow control (§6) and the confirmation (`complete`).
 */
import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { prepareDestination, preparePartialFolder, UnsafePathError } from '../paths/index.ts'
import { ACK_EVERY_BYTES, MAX_REWINDS, ProtocolError, RemoteError, TransferError } from '../protocol/index.ts'
import type { Block, ControlMessage, FileEnd, FileStart, Offer } from '../protocol/index.ts'
import type { ProgressWriter, Store } from '../store/index.ts'
import type { FrameChannel } from './channel.ts'
import { MAX_WRITE_BATCH_BYTES, MAX_WRITE_BATCH_FRAMES } from './constants.ts'
import { IncomingFile, writeError } from './incoming-file.ts'
import { removePartialFolderIfEmpty } from './partial-files.ts'
import type { Placements } from './placement.ts'
import type { ProgressReporter } from './progress.ts'
import { tempPathOf } from './resume.ts'
import type { SpaceReservation } from './space.ts'
import { MinimumRate } from './timeouts.ts'
import type { TransferTimeouts } from './timeouts.ts'

/** What {@link ReceiveFrames} works with: the accepted transfer and the session's bookkeeping. */
export interface ReceiveFramesInit {
  store: Store
  channel: FrameChannel
  transferId: string
  files: Offer['files']
  /** Where each file's data starts, as accepted (a prefix mismatch sets a file's back to 0). */
  offsets: number[]
  /** Files the accept listed as complete (resume): the sender skips them. */
  complete: ReadonlySet<number>
  /**
   * The files accepted when only some were (`accept.files`); absent: all. A sender that does not know the field (older
   * than it) sends the others anyway: their data is counted and hashed, never written (docs/PROTOCOL.md §4 "accept").
   */
  accepted?: ReadonlySet<number>
  /** Files verified and placed, by index: filled as placements finish. */
  done: ReadonlyMap<number, { sha256: string, localPath: string }>
  downloadDir: string
  /** Folders this transfer created (for the clean-up if it does not complete). */
  createdDirs: string[]
  placements: Placements
  writer: ProgressWriter
  reporter: ProgressReporter
  reservation: SpaceReservation
  timeouts: TransferTimeouts
  /** Aborts the wait for the next frame: the session's signal, and a failed placement. */
  signal: AbortSignal
  /** The session's own signal (cancel, pause), for the messages it sends. */
  sessionSignal?: AbortSignal
}

/** The frames of one accepted transfer, handled in the order §5 step 6 allows them. */
export class ReceiveFrames {
  private readonly init: ReceiveFramesInit
  private readonly channel: FrameChannel
  /** The file open now (between its `file-start` and `file-end`); the session closes it if the transfer ends. */
  current: IncomingFile | undefined
  /** A file that was not accepted, sent anyway (an older sender): its bytes are hashed and dropped. */
  private discarding: { index: number, size: number, position: number, hash: Hash } | undefined
  /** The SHA-256 of each file dropped so, by index, for the `complete` an older sender expects. */
  private readonly discarded = new Map<number, string>()
  /** Data bytes taken off the stream, written or discarded: what acks count (§6). */
  private consumed = 0
  private ackedAt = 0
  private completedBytes: number
  private lastIndex = -1
  private rewinds = 0
  private pendingNack: { index: number, offset: number } | undefined
  private partialReady = false
  private readonly minimumRate: MinimumRate

  constructor (init: ReceiveFramesInit) {
    this.init = init
    this.channel = init.channel
    this.completedBytes = [...init.done.keys()].reduce((n, i) => n + (init.files[i]?.size ?? 0), 0)
    this.minimumRate = new MinimumRate(init.timeouts.minRateWindowMs, init.channel.waitedMs)
  }

  /**
   * Reads frames until `done` (§5 step 6), each within `STALL_TIMEOUT_MS` and at the minimum rate (§10), and then
   * confirms (step 7). While a `nack` is pending only `rewind` and `error` count (§7). Resolves once `complete` was
   * sent and the transfer recorded `completed`.
   *
   * @throws {ProtocolError}, {TransferError} when the sender breaks a rule of step 6; {RemoteError} on its `error`
   */
  async run (): Promise<void> {
    while (true) {
      // Checked after the previous frame's progress was credited (a resumed file's prefix counts once it is announced).
      this.minimumRate.check(this.channel.waitedMs)
      const frame = await this.channel.next({ signal: this.init.signal, timeoutMs: this.init.timeouts.stallMs })
      if (frame.kind === 'data') {
        await this.onData(frame.bytes)
        continue
      }
      const msg: ControlMessage = frame.message
      if (msg.type === 'error') throw new RemoteError(msg.code, `The sender stopped the transfer: ${msg.message}`, { reason: msg.reason, peerMessage: msg.message })
      if (this.pendingNack != null) {
        // Everything the sender sent before it saw the nack is discarded, until its rewind.
        if (msg.type === 'rewind') this.onRewind(msg)
        continue
      }
      if (msg.type === 'file-start') await this.onFileStart(msg)
      else if (msg.type === 'block') await this.onBlock(msg)
      else if (msg.type === 'file-end') await this.onFileEnd(msg)
      else if (msg.type === 'done') return await this.onDone()
      else throw new ProtocolError(`Unexpected ${msg.type} message from the sender`)
    }
  }

  /**
   * Data (§5 step 6, §6): frames that arrived while the previous write was in progress go to disk together, in one
   * call; discarded (but counted for acks) while a `nack` is pending. Acks every `ACK_EVERY_BYTES` consumed.
   */
  private async onData (bytes: Uint8Array): Promise<void> {
    const pieces = [bytes, ...this.channel.takeQueuedData(MAX_WRITE_BATCH_BYTES - bytes.byteLength, MAX_WRITE_BATCH_FRAMES - 1)]
    for (const piece of pieces) this.consumed += piece.byteLength
    const discarding = this.discarding
    if (this.pendingNack == null && discarding != null) {
      for (const piece of pieces) {
        discarding.position += piece.byteLength
        if (discarding.position > discarding.size) throw new ProtocolError(`More data than the size of file ${discarding.index}`)
        discarding.hash.update(piece)
        this.minimumRate.add(piece.byteLength)
      }
    } else if (this.pendingNack == null) {
      const current = this.current
      if (current == null) throw new ProtocolError('Data arrived outside a file')
      const at = current.position
      await current.write(...pieces)
      this.init.reservation.used(current.position - at)
      for (const piece of pieces) this.minimumRate.add(piece.byteLength)
      this.init.reporter.update(this.completedBytes + current.position, current.index)
    }
    if (this.consumed - this.ackedAt >= ACK_EVERY_BYTES) {
      this.ackedAt = this.consumed
      await this.channel.sendControl({ type: 'ack', bytes: this.consumed }, this.init.sessionSignal)
    }
  }

  /** `rewind` (§7): it must match the pending `nack`; the sender's re-hashed prefix counts as progress (§10). */
  private onRewind (msg: { index: number, offset: number }): void {
    const nack = this.pendingNack as { index: number, offset: number }
    if (msg.index !== nack.index || msg.offset !== nack.offset) throw new ProtocolError('The rewind does not match the nack')
    this.pendingNack = undefined
    this.minimumRate.add(msg.offset)
  }

  /**
   * `file-start` (§5 step 6, §7 "Temp file", §8 "Prefix check"): in order, at the accepted offset; prepares the file's
   * folder (§9) and opens its temp file; a resumed prefix that does not match is asked for again from 0 (`nack`).
   */
  private async onFileStart (msg: FileStart): Promise<void> {
    const { files, offsets, downloadDir, transferId } = this.init
    if (this.current != null || this.discarding != null) throw new ProtocolError('file-start before the previous file ended')
    if (msg.index <= this.lastIndex || msg.index >= files.length || this.init.complete.has(msg.index)) throw new ProtocolError(`file-start for file ${msg.index} is out of order`)
    if (msg.offset !== offsets[msg.index]) throw new ProtocolError(`file-start for file ${msg.index} does not start at the accepted offset`)
    this.lastIndex = msg.index
    if (this.init.accepted != null && !this.init.accepted.has(msg.index)) {
      // Not accepted: an older sender sends it anyway. Nothing of it touches disk.
      if (msg.offset !== 0) throw new ProtocolError(`file-start for file ${msg.index}, which was not accepted, at an offset`)
      this.discarding = { index: msg.index, size: files[msg.index]?.size ?? 0, position: 0, hash: createHash('sha256') }
      return
    }
    this.minimumRate.add(msg.offset)
    const file = files[msg.index] as Offer['files'][number]
    const dir = await prepareDestination(downloadDir, file.path, this.init.sessionSignal, this.init.createdDirs).catch((err: unknown) => { throw err instanceof UnsafePathError ? err : writeError(err, file.path) })
    if (!this.partialReady) {
      try { preparePartialFolder(downloadDir) } catch (err) { throw err instanceof UnsafePathError ? err : writeError(err, file.path) }
      this.partialReady = true
    }
    const opened = await IncomingFile.open({ index: msg.index, relPath: file.path, size: file.size, dir, tempPath: tempPathOf(downloadDir, transferId, msg.index), offset: msg.offset, prefixSha256: msg.prefixSha256 })
    this.current = opened.file
    if (!opened.prefixMatches) {
      // The partial file does not match the sender's file (it changed since): start that file over.
      offsets[msg.index] = 0
      this.pendingNack = { index: msg.index, offset: 0 }
      await this.channel.sendControl({ type: 'nack', index: msg.index, offset: 0 }, this.init.sessionSignal)
    }
  }

  /** `block` (§7 "Blocks", "Nack and rewind"): a verified block is recorded; a bad one is asked for again (`nack`). */
  private async onBlock (msg: Block): Promise<void> {
    if (this.discarding != null && msg.index === this.discarding.index) return
    const current = this.current
    if (current == null || msg.index !== current.index) throw new ProtocolError('A block hash for a file that is not in progress')
    if (await current.verifyBlock(msg.offset, msg.sha256)) {
      this.init.writer.update(this.completedBytes + current.verified, current.index, current.verified)
    } else {
      if (++this.rewinds > MAX_REWINDS) throw new TransferError('hash-mismatch', `${current.relPath} kept arriving corrupted (${this.rewinds} bad blocks); giving up`)
      this.pendingNack = { index: current.index, offset: msg.offset }
      await this.channel.sendControl({ type: 'nack', index: current.index, offset: msg.offset }, this.init.sessionSignal)
    }
  }

  /** `file-end` (§7 "Whole-file hash", "Verify, sync, place"): the file is checked, then synced and placed in the background. */
  private async onFileEnd (msg: FileEnd): Promise<void> {
    const discarding = this.discarding
    if (discarding != null && msg.index === discarding.index) {
      if (discarding.position !== discarding.size) throw new TransferError('size-mismatch', `File ${discarding.index} ended short of its size`)
      this.discarded.set(discarding.index, discarding.hash.digest('hex'))
      this.discarding = undefined
      return
    }
    const current = this.current
    if (current == null || msg.index !== current.index) throw new ProtocolError('file-end for a file that was not started')
    const sha256 = current.verify(msg.sha256)
    this.current = undefined
    await this.init.placements.add(current, sha256)
    this.completedBytes += current.size
    // No ack per file: acks are flow control only (PROTOCOL.md §6), and one per file cost many small files a
    // third of their speed (docs/PERFORMANCE.md, "Acks per file").
  }

  /**
   * `done` and the confirmation (§5 step 7, §7 "Confirmation"): once every placement finished and every file is placed,
   * sends `complete` with every file's hash and records the transfer `completed`.
   */
  private async onDone (): Promise<void> {
    const { placements, done, files, store, transferId } = this.init
    await placements.drain()
    const wanted = this.init.accepted?.size ?? files.length
    if (this.current != null || this.discarding != null || done.size !== wanted) throw new TransferError('size-mismatch', `The sender ended after ${done.size} of ${wanted} files`)
    removePartialFolderIfEmpty(this.init.downloadDir, 1)
    // The files written, and those an older sender sent though they were not accepted (dropped; their hash as received).
    const confirmed = [...[...done].map(([index, f]) => ({ index, sha256: f.sha256 })), ...[...this.discarded].map(([index, sha256]) => ({ index, sha256 }))]
    await this.channel.sendControl({ type: 'complete', files: confirmed.sort((a, b) => a.index - b.index) }, this.init.sessionSignal)
    this.init.writer.flush()
    store.transfers.setState(transferId, 'completed')
  }
}
