/**
 * Throttled persistence of a running transfer's progress: keeps the latest numbers in memory and writes them at
 * most once per interval, so progress survives a crash without a SQLite write per chunk.
 */
import { DEFAULT_PROGRESS_INTERVAL_MS } from './constants.ts'
import type { TransferRepository } from './transfers.ts'

/** Options of {@link ProgressWriter}. */
export interface ProgressWriterOptions {
  /** Minimum ms between two writes by `update`. Default {@link DEFAULT_PROGRESS_INTERVAL_MS}. */
  intervalMs?: number
  /** Clock, ms. Default `Date.now`. */
  now?: () => number
}

/** What a {@link ProgressWriter} needs of a store (a `Store` will do). */
export interface ProgressSink {
  readonly transfers: Pick<TransferRepository, 'recordProgress'>
}

/**
 * Persists a transfer's progress at most once per `intervalMs`.
 *
 * `update` only writes when `intervalMs` has passed since the last write (the first `update` writes at once);
 * there is no timer, so call {@link ProgressWriter.flush} when the transfer stops (finishes, fails, pauses) to store
 * the latest values. Bytes of every file touched since the last write are kept, so a file that finished between two
 * writes is stored with its final count.
 *
 * @example
 * ```ts
 * const progress = new ProgressWriter(store, transfer.id)
 * for await (const chunk of chunks) {
 *   sent += chunk.length; fileSent += chunk.length
 *   progress.update(sent, fileIndex, fileSent)
 * }
 * progress.flush()
 * ```
 */
export class ProgressWriter {
  readonly #sink: ProgressSink
  readonly #transferId: string
  readonly #intervalMs: number
  readonly #now: () => number
  #lastWriteAt = Number.NEGATIVE_INFINITY
  #transferredBytes = 0
  #dirty = false
  /** File index → bytesDone, for files updated since the last write. */
  readonly #files = new Map<number, number>()

  constructor (store: ProgressSink, transferId: string, options: ProgressWriterOptions = {}) {
    this.#sink = store
    this.#transferId = transferId
    this.#intervalMs = options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS
    this.#now = options.now ?? Date.now
  }

  /**
   * Notes that `transferredBytes` bytes of the whole transfer and `fileBytesDone` bytes of file `fileIndex` are
   * done, and writes them if the interval has passed since the last write.
   * @throws {TransferNotFoundError} when it writes and the transfer or file index is unknown.
   */
  update (transferredBytes: number, fileIndex: number, fileBytesDone: number): void {
    this.#transferredBytes = transferredBytes
    this.#files.set(fileIndex, fileBytesDone)
    this.#dirty = true
    if (this.#now() - this.#lastWriteAt >= this.#intervalMs) this.flush()
  }

  /**
   * Writes the latest values now, in one transaction, if any arrived since the last write.
   * @throws {TransferNotFoundError} the transfer or a file index is unknown.
   */
  flush (): void {
    if (!this.#dirty) return
    const files = [...this.#files].map(([index, bytesDone]) => ({ index, bytesDone }))
    this.#sink.transfers.recordProgress(this.#transferId, this.#transferredBytes, files)
    this.#files.clear()
    this.#dirty = false
    this.#lastWriteAt = this.#now()
  }
}
