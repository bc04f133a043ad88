import { lstat, readdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { FerryError, throwIfAborted } from '../errors/index.ts'
import { isPartialFolderName } from '../paths/index.ts'

/** A file the sender offers: its path in the offer (relative, `/`-separated), where it is on disk, and its size. */
export interface LocalFile {
  relPath: string
  absPath: string
  /** Bytes. */
  size: number
}

/** A path given to send does not exist or is neither a file nor a folder. */
export class SourcePathError extends FerryError {
  static override name = 'SourcePathError'
  constructor (message: string, options?: ErrorOptions) {
    super('source-unreadable', message, options)
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
      throw new SourcePathError(`Cannot read "${p}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}`, { cause: err })
    }
    if (st.isFile()) files.push({ relPath: basename(abs), absPath: abs, size: st.size })
    else if (st.isDirectory()) await walk(abs, basename(abs))
    else throw new SourcePathError(`"${p}" is not a regular file or folder`)
  }
  return { files, skipped }
}
