/**
 * Files to send: the one shape of a file on its way out ({@link LocalFile}), how a CLI's paths become a list of them
 * ({@link collectFiles}), and how each is opened when its bytes are read ({@link openLocalFile}).
 *
 * A list is checked once, where it enters: the CLI's paths by `collectFiles` and the path-safety rules in
 * `TransferService.send`; a desktop drop by the app's `checkLocalFiles` (in Electron's main process and in the app
 * service); a browser upload by the server's upload store. Nothing re-checks it on the way; the sender opens each file
 * without following links and only if it is still a regular file.
 */
import { constants } from 'node:fs'
import { lstat, open, readdir } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { failureReasonOf, FerryError, throwIfAborted } from '../errors/index.ts'
import type { FailureReason } from '../errors/index.ts'
import { isPartialFolderName } from '../paths/index.ts'
import { TransferError } from '../protocol/index.ts'

/**
 * A file to send: its path in the offer (relative, `/`-separated, passes the path-safety rules), where it is on disk
 * (absolute), and its size in bytes when it was checked.
 */
export interface LocalFile {
  relPath: string
  absPath: string
  /** Bytes. */
  size: number
}

/**
 * A path given to send does not exist, cannot be read, is neither a file nor a folder, or changed before it was sent:
 * `reason` says which (`file-gone`, `permission-denied`, `file-changed`, `other`); `path` is the local path as it was
 * given (for the person who gave it — the CLI prints it; never sent to a peer or shown in the page).
 */
export class SourcePathError extends FerryError {
  static override name = 'SourcePathError'
  readonly reason: FailureReason
  readonly path: string | undefined
  constructor (message: string, options?: ErrorOptions & { reason?: FailureReason, path?: string }) {
    super('source-unreadable', message, options)
    this.reason = options?.reason ?? 'other'
    this.path = options?.path
  }
}

/**
 * Lists the files to send for the given paths. A file is offered under its own name; a folder is walked and its files
 * are offered under `<folder name>/<path inside it>`, so the receiver gets the same structure. Symbolic links are not
 * followed (a link could lead anywhere on the sender's disk) and are reported in `skipped`, like a `.ferry-partial`
 * folder inside a folder (a receiver's partial files, a name no receiver accepts). Empty folders carry no
 * files and are not recreated.
 *
 * @throws {SourcePathError} when a path does not exist or is not a regular file or folder
 */
export async function collectFiles (paths: readonly string[], signal?: AbortSignal): Promise<{ files: LocalFile[], skipped: string[] }> {
  const files: LocalFile[] = []
  const skipped: string[] = []
  const walk = async (abs: string, rel: string): Promise<void> => {
    throwIfAborted(signal)
    const entries = await readdir(abs, { withFileTypes: true })
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const childAbs = join(abs, entry.name)
      const childRel = `${rel}/${entry.name}`
      // Another Ferry's partial files: no receiver accepts that name (paths `temp-folder-name`), and they are not data.
      if (isPartialFolderName(entry.name)) skipped.push(childAbs)
      else if (entry.isDirectory()) await walk(childAbs, childRel)
      else if (entry.isFile()) files.push({ relPath: childRel, absPath: childAbs, size: (await lstat(childAbs)).size })
      else skipped.push(childAbs)
    }
  }
  for (const p of paths) {
    const abs = resolve(p)
    let st
    try {
      st = await lstat(abs)
    } catch (err) {
      const reason = failureReasonOf(err, 'read')
      throw new SourcePathError(`Cannot read "${p}": ${reason === 'file-gone' ? 'no such file or folder' : (err as Error).message}`, { cause: err, reason, path: p })
    }
    if (st.isFile()) files.push({ relPath: basename(abs), absPath: abs, size: st.size })
    else if (st.isDirectory()) await walk(abs, basename(abs))
    else throw new SourcePathError(`"${p}" is not a regular file or folder`, { path: p })
  }
  return { files, skipped }
}

/**
 * Opening flags of a file to send: read-only, never through a symbolic link (where the system has `O_NOFOLLOW`), and
 * non-blocking, so that a FIFO put in its place does not hold the open until some writer comes (it is then refused as
 * not a regular file; on a regular file the flag changes nothing).
 */
const SOURCE_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/**
 * Opens a file to send, where its bytes are read: without following a link, and only if it is still a regular file
 * (it was checked where it entered; this refuses one swapped for a link, a folder or a device since). A file that
 * became shorter is found by the reads (`read-failed`).
 *
 * @throws {TransferError} `read-failed` when it cannot be opened or is no longer a regular file
 */
export async function openLocalFile (file: LocalFile): Promise<FileHandle> {
  const fh = await open(file.absPath, SOURCE_FLAGS).catch((err: unknown) => {
    throw new TransferError('read-failed', `Cannot read ${file.absPath}: ${(err as Error).message}`, { cause: err })
  })
  const regular = await fh.stat().then(st => st.isFile(), () => false)
  if (!regular) {
    await fh.close().catch(() => {})
    throw new TransferError('read-failed', `${file.absPath} is no longer a regular file`)
  }
  return fh
}
