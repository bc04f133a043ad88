import { SpeedMeter } from './speed.ts'
import { PROGRESS_INTERVAL_MS } from './types.ts'
import type { TransferProgress } from './types.ts'

/**
 * Turns byte counts into {@link TransferProgress} events with speed and ETA, at most one per
 * `PROGRESS_INTERVAL_MS` (250 ms), plus a final one from {@link ProgressReporter.finish}. The speed is measured from
 * the first update (the first bytes, not the offer: a person may take a minute to accept) and is reported only after
 * a second of data (see {@link SpeedMeter}); before that `bytesPerSecond` is 0 and `etaMs` undefined.
 */
export class ProgressReporter {
  private readonly meter = new SpeedMeter()
  private readonly base: Omit<TransferProgress, 'transferredBytes' | 'fileIndex' | 'filePath' | 'bytesPerSecond' | 'etaMs'>
  private readonly paths: string[]
  private readonly emit: ((p: TransferProgress) => void) | undefined
  private lastAt = 0
  private fileIndex = 0

  constructor (info: { transferId: string, direction: 'send' | 'receive', peerId: string, totalBytes: number, files: ReadonlyArray<{ relPath?: string, path?: string }> }, emit?: (p: TransferProgress) => void) {
    this.base = { transferId: info.transferId, direction: info.direction, peerId: info.peerId, totalBytes: info.totalBytes, fileCount: info.files.length }
    this.paths = info.files.map(f => f.relPath ?? f.path ?? '')
    this.emit = emit
  }

  /** The bytes that will be transferred once the receiver accepted only some of the files (bytes). */
  acceptedBytes (totalBytes: number): void {
    this.base.totalBytes = totalBytes
  }

  /** Reports `transferredBytes` (cumulative) while file `fileIndex` is in flight; throttled. */
  update (transferredBytes: number, fileIndex: number): void {
    this.fileIndex = fileIndex
    const now = Date.now()
    // The first bytes start the clock: the speed is measured from here, not from the offer.
    if (!this.meter.started) this.meter.record(transferredBytes, now)
    if (now - this.lastAt < PROGRESS_INTERVAL_MS) return
    this.lastAt = now
    this.meter.record(transferredBytes, now)
    this.send(transferredBytes)
  }

  /** Reports the final count, unthrottled. */
  finish (transferredBytes: number): void {
    this.meter.record(transferredBytes)
    this.send(transferredBytes)
  }

  private send (transferredBytes: number): void {
    this.emit?.({
      ...this.base,
      transferredBytes,
      fileIndex: this.fileIndex,
      filePath: this.paths[this.fileIndex] ?? '',
      bytesPerSecond: this.meter.bytesPerSecond,
      etaMs: this.meter.etaMs(this.base.totalBytes)
    })
  }
}
