import { close, fdatasync, fstat, ftruncate, open, openSync, read, write, writev } from 'node:fs'
import type { Stats } from 'node:fs'
import { promisify } from 'node:util'

const openAsync = promisify(open)
const readAsync = promisify(read)
const writeAsync = promisify(write)
const writevAsync = promisify(writev)
const ftruncateAsync = promisify(ftruncate)
const fdatasyncAsync = promisify(fdatasync)
const closeAsync = promisify(close)
const fstatAsync = promisify(fstat)

/**
 * An open file by its descriptor, with the calls a received file needs. Unlike `fs.promises.FileHandle` it can be
 * opened with a synchronous `open(2)`: creating a small file's temp file that way skips a thread-pool round trip that
 * otherwise waits behind the `datasync`s of earlier files (docs/PERFORMANCE.md, "Receiver: small files' temp files
 * created with a synchronous call").
 *
 * The descriptor is released once: {@link OpenFile.close} may be called again (it does nothing), and no call uses the
 * number after that, so a number the system has since given to another file is never touched. Nothing closes it on
 * garbage collection: its owner must call `close`.
 */
export class OpenFile {
  #fd: number

  private constructor (fd: number) {
    this.#fd = fd
  }

  /**
   * Opens `path` with a synchronous call. `flags` and `mode` as in `fs.openSync`.
   * @throws the system error (`EEXIST`, `EACCES`, `ENOENT`, …)
   */
  static openSync (path: string, flags: string | number, mode?: number): OpenFile {
    return new OpenFile(openSync(path, flags, mode))
  }

  /**
   * Opens `path` on the thread pool. `flags` and `mode` as in `fs.open`.
   * @throws the system error
   */
  static async open (path: string, flags: string | number, mode?: number): Promise<OpenFile> {
    return new OpenFile(await openAsync(path, flags, mode))
  }

  /**
   * The descriptor, for synchronous calls.
   * @throws {Error} when the file is closed
   */
  get fd (): number {
    if (this.#fd < 0) throw new Error('The file is closed')
    return this.#fd
  }

  /** Reads up to `length` bytes at file offset `position` into `buffer` at `offset`; returns the bytes read. */
  async read (buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return (await readAsync(this.fd, buffer, offset, length, position)).bytesRead
  }

  /** Writes `length` bytes of `buffer` from `offset` at file offset `position`; returns the bytes written (may be fewer). */
  async write (buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return (await writeAsync(this.fd, buffer, offset, length, position)).bytesWritten
  }

  /** Writes `buffers` in order at file offset `position` in one `writev(2)`; returns the bytes written (may be fewer). */
  async writev (buffers: Uint8Array[], position: number): Promise<number> {
    return (await writevAsync(this.fd, buffers, position)).bytesWritten
  }

  /** The open file's metadata (`fstat(2)`): type, size, link count. */
  async stat (): Promise<Stats> {
    return await fstatAsync(this.fd)
  }

  /** Cuts or extends the file to `length` bytes. */
  async truncate (length: number): Promise<void> {
    await ftruncateAsync(this.fd, length)
  }

  /** Flushes the file's data (and the metadata needed to read it) to the disk: `fdatasync(2)`. */
  async datasync (): Promise<void> {
    await fdatasyncAsync(this.fd)
  }

  /**
   * Releases the descriptor; later calls do nothing.
   * @throws the system error of `close(2)` (the descriptor is released all the same)
   */
  async close (): Promise<void> {
    const fd = this.#fd
    if (fd < 0) return
    this.#fd = -1
    await closeAsync(fd)
  }
}
