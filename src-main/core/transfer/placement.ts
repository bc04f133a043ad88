import type { IncomingFile } from './incoming-file.ts'

/** A file that was verified, synced and placed under its final name. */
export interface PlacedFile {
  index: number
  sha256: string
  localPath: string
}

/** Options of {@link Placements}. */
export interface PlacementsInit {
  /** Files synced together, at most; a full batch starts at once. */
  batchFiles: number
  /** How long a file may wait for its batch to fill, in ms. */
  batchDelayMs: number
  /** Called (synchronously, in placement order) for every file placed. */
  onPlaced: (placed: PlacedFile) => void
}

interface Pending { file: IncomingFile, sha256: string }

/**
 * The last step of received files — `datasync`, close, link under the final name — run in the background, in batches,
 * while the receiver goes on with the next files. Each file handed to {@link Placements.add} has already passed its
 * whole-file SHA-256 check ({@link IncomingFile.verify}); it is never placed otherwise, and never before its data is
 * synced.
 *
 * Why batches: each `datasync` of a new file commits the file system's journal, and creating the next files waits for
 * that commit; the `datasync`s of a batch run together and share commits (docs/PERFORMANCE.md, "Many small files").
 * Nothing is confirmed to the sender before every placement settled ({@link Placements.drain}), and a failed one
 * fails the transfer.
 */
export class Placements {
  private readonly init: PlacementsInit
  private queue: Pending[] = []
  private running: Promise<void> | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  /** Temp files whose placement failed: they were not placed; the caller removes or keeps them like the open file. */
  readonly failedTempPaths: string[] = []
  /** The first placement failure (a `write-failed` TransferError). */
  failure: Error | undefined
  private readonly failed = new AbortController()

  constructor (init: PlacementsInit) {
    this.init = init
  }

  /** Aborts when a placement failed: the receiver stops waiting for frames at once. */
  get signal (): AbortSignal {
    return this.failed.signal
  }

  /**
   * Queues `file` (already verified, with SHA-256 `sha256`) for placement. Waits while a batch is being placed and the
   * next one is full, so at most two batches of files are open.
   *
   * @throws the first placement failure, if there was one
   */
  async add (file: IncomingFile, sha256: string): Promise<void> {
    while (this.running != null && this.queue.length >= this.init.batchFiles) await this.running
    if (this.failure != null) throw this.failure
    this.queue.push({ file, sha256 })
    if (this.queue.length >= this.init.batchFiles) this.start()
    else this.timer ??= setTimeout(() => { this.timer = undefined; this.start() }, this.init.batchDelayMs)
  }

  /** Starts placing the queued files, after the batch being placed (if any). */
  private start (): void {
    if (this.timer != null) { clearTimeout(this.timer); this.timer = undefined }
    if (this.running != null || this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    this.running = this.place(batch).finally(() => {
      this.running = undefined
      if (this.queue.length >= this.init.batchFiles) this.start()
      else if (this.queue.length > 0) this.timer ??= setTimeout(() => { this.timer = undefined; this.start() }, this.init.batchDelayMs)
    })
  }

  private async place (batch: Pending[]): Promise<void> {
    const synced = await Promise.allSettled(batch.map(async ({ file }) => await file.sync()))
    for (const [i, { file, sha256 }] of batch.entries()) {
      const outcome = synced[i] as PromiseSettledResult<void>
      try {
        if (outcome.status === 'rejected') throw outcome.reason
        const localPath = await file.link()
        this.init.onPlaced({ index: file.index, sha256, localPath })
      } catch (err) {
        this.failedTempPaths.push(file.tempPath)
        if (this.failure == null) {
          this.failure = err as Error
          this.failed.abort(err)
        }
      }
    }
  }

  /**
   * Places every queued file now and waits until all placements settled.
   *
   * @throws the first placement failure, if there was one
   */
  async drain (): Promise<void> {
    await this.settle()
    if (this.failure != null) throw this.failure
  }

  /** Places every queued file now and waits until all placements settled; never throws (clean-up after a failure). */
  async settle (): Promise<void> {
    while (this.running != null || this.queue.length > 0) {
      this.start()
      await this.running
    }
  }
}
