/**
 * The data folder holds the identity key and the history (peer IDs, file names, local paths): only its owner may
 * read it. These helpers make it so whichever command creates or opens it first, and tighten what an older version, a
 * copy or a hand-made folder left open (a folder created with the default umask 022 is 0755, a file 0644).
 * POSIX modes only: on Windows the user's profile folder already keeps other users out, and `chmod` does not apply.
 */
import fs from 'node:fs'

/** Mode of the data folder: owner only. */
export const PRIVATE_DIR_MODE = 0o700
/** Mode of the files in it (key, database, its `-wal` and `-shm`): owner read/write only. */
export const PRIVATE_FILE_MODE = 0o600

const posix = process.platform !== 'win32'

/**
 * Creates `dir` (and missing parents) if needed, and makes `dir` itself 0700 if it is open to others (group or other
 * bits set). Parents it creates get the default mode; only the data folder is private. A folder of another user
 * (`chmod` fails with `EPERM`) is left as it is: only its owner can tighten it.
 *
 * @param dir - the data folder
 * @throws the errors of `fs.mkdirSync` (e.g. `EACCES`, `ENOTDIR`) and of `fs.chmodSync` other than `EPERM`
 */
export function ensurePrivateDir (dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  if (posix && (fs.statSync(dir).mode & 0o077) !== 0) chmodOwn(dir, PRIVATE_DIR_MODE)
}

/** `chmod`, except on a file of another user (`EPERM`), which only its owner can change. */
function chmodOwn (path: string, mode: number): void {
  try {
    fs.chmodSync(path, mode)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err
  }
}

/**
 * Makes each existing file of `files` 0600 if it is open to others; missing files, and files of another user, are
 * skipped.
 *
 * @throws the errors of `fs.statSync` / `fs.chmodSync` other than `ENOENT` and `EPERM`
 */
export function tightenPrivateFiles (files: readonly string[]): void {
  if (!posix) return
  for (const file of files) {
    try {
      if ((fs.statSync(file).mode & 0o077) !== 0) chmodOwn(file, PRIVATE_FILE_MODE)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
}
