import type { IncomingFile } from './incoming-file.ts'

/** A file that was verified, synced and placed under its final name. */
export interface PlacedFile {
  index: number
  sha256: string
  localPath: string
}

/**
 * The last step of received files — `datasync`, close, link under the final name — run in the background, at most
 * `limit` at once, while the receiver goes on with the next files. Each file handed to {@link Placements.add} has
 * already passed its whole-file SHA-256 check ({@link IncomingFile.verify}); it is never placed otherwise.
 *
 * On a small file these steps are most of its cost and wait on the disk, not on the CPU (docs/PERFORMANCE.md, "Many
 * small files"); several `datasync`s in flight also share the file system's journal commits. Nothing is confirmed to
 * the sender before every placement settled ({@link Placements.drain}), and a failed placement fails the transfer.
 */
export class Placements {
  private readonly limit: number
  private readonly onPlaced: (placed: PlacedFile) => void
  private readonly running = new Set<Promise<void>>()
  /** Temp files whose placement failed: they were not placed; the caller removes or keeps them like the open file. */
  readonly failedTempPaths: string[] = []
  /** The first placement failure (a `write-failed` TransferError). */
  failure: Error | undefined
  private readonly failed = new AbortController()

  /**
   * @param limit - placements in flight at most
   * @param onPlaced - called (synchronously, in completion order) for every file placed
   */
  constructor (limit: number, onPlaced: (placed: PlacedFile) => void) {
    this.limit = limit
    this.onPlaced = onPlaced
  }

  /** Aborts when a placement failed: the receiver stops waiting for frames at once. */
  get signal (): AbortSignal {
    return this.failed.signal
  }

  /**
   * Starts placing `file` (already verified, with SHA-256 `sha256`); waits first while `limit` placements are in
   * flight.
   *
   * @throws the first placement failure, if there was one
   */
  async add (file: IncomingFile, sha256: string): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running)
    if (this.failure != null) throw this.failure
    const job = file.place().then(
      (localPath) => { this.onPlaced({ index: file.index, sha256, localPath }) },
      (err: unknown) => {
        this.failedTempPaths.push(file.tempPath)
        if (this.failure == null) {
          this.failure = err as Error
          this.failed.abort(err)
        }
      }
    ).finally(() => { this.running.delete(job) })
    this.running.add(job)
  }

  /**
   * Waits until every placement started has settled.
   *
   * @throws the first placement failure, if there was one
   */
  async drain (): Promise<void> {
    await this.settle()
    if (this.failure != null) throw this.failure
  }

  /** Waits until every placement started has settled; never throws (for clean-up after a failure). */
  async settle (): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }
}
