/**
 * Turning a validated relative path into a place on disk: joining it under the download folder, creating its
 * folders without following links, and moving a finished file to a name that is not taken.
 */
import { lstatSync, mkdirSync, statSync } from 'node:fs'
import { link, lstat, rename, unlink } from 'node:fs/promises'
import nodePath from 'node:path'
import { throwIfAborted } from '../errors/index.ts'
import { MAX_FREE_NAME_ATTEMPTS, MAX_SEGMENT_BYTES, PARTIAL_FOLDER } from './constants.ts'
import { NoFreeNameError, UnsafePathError, displayPath } from './errors.ts'
import { utf8Bytes, validateRelativePath } from './validate.ts'

/** `link()` error codes meaning "this file system cannot hard-link" (FAT/exFAT, some network shares). */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'])

function errorCode (err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code
}

/** `true` if `child` (absolute) is strictly inside `parent` (absolute), by path arithmetic only. */
function isStrictlyInside (parent: string, child: string): boolean {
  const rel = nodePath.relative(parent, child)
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + nodePath.sep) && !nodePath.isAbsolute(rel)
}

/**
 * The absolute native path of `relPath` under `root`, guaranteed to be strictly inside `root`: the path is
 * re-validated ({@link validateRelativePath}), joined, and checked again with `path.relative` so that neither `..`
 * nor a sibling folder sharing a prefix (`/dl` vs `/dl-evil`) can be reached. No disk access.
 *
 * @param root the download folder (made absolute against the working directory if it is not)
 * @param relPath a peer-supplied `/`-separated relative path
 * @throws {UnsafePathError} when the path is refused (`reason` names the rule; `outside-root` for the final check)
 */
export function resolveInside (root: string, relPath: string): string {
  const segments = validateRelativePath(relPath)
  const base = nodePath.resolve(root)
  const full = nodePath.join(base, ...segments)
  if (!isStrictlyInside(base, full)) {
    throw new UnsafePathError(relPath, 'outside-root', 'it points outside the download folder')
  }
  return full
}

/** Throws unless `name` is one valid name (no `/`). */
function checkSingleName (name: string): void {
  if (validateRelativePath(name).length !== 1) {
    throw new UnsafePathError(name, 'not-a-single-name', 'a file name was expected, not a path with folders')
  }
}

/**
 * Creates the parent folders of `relPath` inside `root`, one segment at a time, never following a link: every
 * existing component below `root` is checked with `lstat`. `root` itself may be a link (the user chose it).
 *
 * Not proof against a local process swapping a folder for a link between the check and the write; it stops a
 * peer's offer, or a link left in the download folder, from redirecting writes outside it.
 *
 * @param root the download folder; must exist
 * @param relPath a peer-supplied relative file path (its last segment, the file name, is not created)
 * @param signal cancels between segments
 * @param created when given, every folder this call created is appended to it, outermost first (so that a transfer
 *   that fails can remove the folders it created, innermost first, if they are still empty)
 * @returns the absolute path of the file's parent folder (`root` itself for a top-level file)
 * @throws {UnsafePathError} when `relPath` is refused, or with reason `symlink-in-path` / `not-a-directory` when a
 *   component under `root` is a link or not a folder (`not-a-directory` also when `root` is not a folder)
 * @throws {AbortedError} when `signal` aborts
 * @throws the file-system error (e.g. `ENOENT` when `root` is missing, `EACCES`, a full disk) otherwise
 */
export async function prepareDestination (root: string, relPath: string, signal?: AbortSignal, created?: string[]): Promise<string> {
  const full = resolveInside(root, relPath)
  const base = nodePath.resolve(root)
  const segments = validateRelativePath(relPath)
  throwIfAborted(signal)
  // The folder checks are synchronous: each is one short metadata call (microseconds), while an awaited call costs a
  // thread-pool round trip (0.25–1 ms on a busy machine) — three of them per file dominated many small files
  // (docs/PERFORMANCE.md, "Many small files: where the receiver's time goes").
  const rootStat = statSync(base)
  if (!rootStat.isDirectory()) throw new UnsafePathError(relPath, 'not-a-directory', `the download folder ${displayPath(base)} is not a folder`)

  let dir = base
  for (let i = 0; i < segments.length - 1; i++) {
    throwIfAborted(signal)
    dir = nodePath.join(dir, segments[i] as string)
    if (ensureDirectory(dir, relPath, segments.slice(0, i + 1).join('/'))) created?.push(dir)
  }
  // Belt and braces: the parent of the resolved file is the folder just prepared.
  if (nodePath.dirname(full) !== dir) throw new UnsafePathError(relPath, 'outside-root', 'it points outside the download folder')
  return dir
}

/** Makes sure `dir` is a real folder (not a link), creating it (with `mode`) if missing; returns whether it created it. */
function ensureDirectory (dir: string, relPath: string, shown: string, mode?: number): boolean {
  let created = false
  let stats
  try {
    stats = lstatSync(dir)
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err
    try {
      mkdirSync(dir, mode)
      created = true
    } catch (mkdirErr) {
      if (errorCode(mkdirErr) !== 'EEXIST') throw mkdirErr
    }
    stats = lstatSync(dir)
  }
  if (stats.isSymbolicLink()) {
    throw new UnsafePathError(relPath, 'symlink-in-path', `the folder ${displayPath(shown)} in the download folder is a link, which Ferry does not follow`)
  }
  if (!stats.isDirectory()) {
    throw new UnsafePathError(relPath, 'not-a-directory', `${displayPath(shown)} already exists in the download folder and is not a folder`)
  }
  return created
}

/**
 * The folder of partial files in `root`, `<root>/.ferry-partial` ({@link PARTIAL_FOLDER}), created (mode `0700`) if
 * missing; an existing link or non-folder there is refused. No offered path can name this folder (see
 * {@link validateRelativePath}), so nothing placed from an offer can ever be taken for a temp file.
 *
 * @param root the download folder; must exist
 * @returns the folder's absolute path
 * @throws {UnsafePathError} reason `symlink-in-path` or `not-a-directory` when `root` or the folder is not a real
 *   folder (`root` itself may be a link)
 * @throws the file-system error (e.g. `ENOENT` when `root` is missing, `EACCES`, `EROFS`) otherwise
 */
export function preparePartialFolder (root: string): string {
  const base = nodePath.resolve(root)
  if (!statSync(base).isDirectory()) throw new UnsafePathError(PARTIAL_FOLDER, 'not-a-directory', `the download folder ${displayPath(base)} is not a folder`)
  const dir = nodePath.join(base, PARTIAL_FOLDER)
  ensureDirectory(dir, PARTIAL_FOLDER, PARTIAL_FOLDER, 0o700)
  return dir
}

/** The folder of partial files in `root` ({@link preparePartialFolder}), without touching the disk. */
export function partialFolderOf (root: string): string {
  return nodePath.join(nodePath.resolve(root), PARTIAL_FOLDER)
}

/**
 * The `n`th candidate for `name`: `n = 0` is `name` itself, then `name (1).ext`, `name (2).ext` … split at the last
 * dot (`archive.tar.gz` → `archive.tar (1).gz`); a leading-dot name has no extension (`.bashrc` → `.bashrc (1)`).
 * The stem is shortened (by whole code points) if needed so the result stays within {@link MAX_SEGMENT_BYTES}.
 */
export function numberedName (name: string, n: number): string {
  if (n === 0) return name
  const suffix = ` (${n})`
  const dot = name.lastIndexOf('.')
  let stem = dot > 0 ? name.slice(0, dot) : name
  let ext = dot > 0 ? name.slice(dot) : ''
  if (utf8Bytes(ext) + utf8Bytes(suffix) + 1 > MAX_SEGMENT_BYTES) {
    stem = name
    ext = ''
  }
  const budget = MAX_SEGMENT_BYTES - utf8Bytes(suffix) - utf8Bytes(ext)
  if (utf8Bytes(stem) > budget) {
    const chars = Array.from(stem)
    while (chars.length > 1 && utf8Bytes(chars.join('')) > budget) chars.pop()
    stem = chars.join('')
  }
  return stem + suffix + ext
}

async function exists (path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false
    throw err
  }
}

/** The first free candidate from the `start`th on (see {@link numberedName}). */
async function firstFree (dir: string, name: string, start: number, signal?: AbortSignal): Promise<string> {
  for (let n = start; n <= MAX_FREE_NAME_ATTEMPTS; n++) {
    throwIfAborted(signal)
    const candidate = numberedName(name, n)
    if (!await exists(nodePath.join(dir, candidate))) return candidate
  }
  throw new NoFreeNameError(dir, name, MAX_FREE_NAME_ATTEMPTS)
}

/**
 * A name in `dir` that nothing uses (checked with `lstat`, so a dangling link counts as taken): `name` itself if
 * free, else `name (1).ext`, `name (2).ext` … up to `name (10000).ext` (see {@link numberedName}).
 * Only advisory — another writer may take the name afterwards; {@link placeFile} is the race-free way to place a file.
 *
 * @param dir an absolute folder path (e.g. from {@link prepareDestination})
 * @param name one validated file name (no `/`)
 * @throws {UnsafePathError} when `name` is refused; {@link NoFreeNameError} (code `no-free-name`) when all are taken;
 *   {@link AbortedError}; the `lstat` error other than `ENOENT`
 */
export async function freeName (dir: string, name: string, signal?: AbortSignal): Promise<string> {
  checkSingleName(name)
  return await firstFree(dir, name, 0, signal)
}

/**
 * Moves a finished, verified temp file into `dir` under `name`, never overwriting anything: it hard-links the temp
 * file to the candidate name (`link` fails with `EEXIST` atomically if the name is taken, then the next candidate
 * `name (1).ext` … is tried) and removes the temp name. Where hard links are unsupported (`EPERM`, `ENOTSUP`,
 * `EXDEV`, `ENOSYS`: FAT/exFAT, some shares) it falls back to finding a free name and `rename` — not atomic against
 * a concurrent writer taking that name in between.
 *
 * @param tempPath the temp file, on the same file system as `dir`
 * @param dir the absolute destination folder (from {@link prepareDestination})
 * @param name the wanted file name (one validated segment)
 * @returns the absolute final path
 * @throws {UnsafePathError} when `name` is refused; {@link NoFreeNameError} when all candidates are taken;
 *   {@link AbortedError}; file-system errors (then the temp file is still in place and no final file is left)
 */
export async function placeFile (tempPath: string, dir: string, name: string, signal?: AbortSignal): Promise<string> {
  checkSingleName(name)
  for (let n = 0; n <= MAX_FREE_NAME_ATTEMPTS; n++) {
    throwIfAborted(signal)
    const finalPath = nodePath.join(dir, numberedName(name, n))
    try {
      await link(tempPath, finalPath)
    } catch (err) {
      const code = errorCode(err)
      if (code === 'EEXIST') continue
      if (code !== undefined && LINK_UNSUPPORTED.has(code)) {
        const fallback = nodePath.join(dir, await firstFree(dir, name, n, signal))
        await rename(tempPath, fallback)
        return fallback
      }
      throw err
    }
    try {
      await unlink(tempPath)
    } catch (err) {
      await unlink(finalPath).catch(() => undefined) // undo: leave the temp file as the only name
      throw err
    }
    return finalPath
  }
  throw new NoFreeNameError(dir, name, MAX_FREE_NAME_ATTEMPTS)
}
