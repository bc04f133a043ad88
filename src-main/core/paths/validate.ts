/**
 * Pure validation of peer-supplied relative paths (no disk access). Paths are refused, never rewritten.
 */
import {
  CONTROL_CHARACTERS, FORBIDDEN_CHARACTERS, INVISIBLE_CHARACTERS, MAX_DEPTH, MAX_PATH_BYTES, MAX_SEGMENT_BYTES,
  PARTIAL_FOLDER, WINDOWS_RESERVED_NAMES
} from './constants.ts'
import { UnsafePathError, displayPath } from './errors.ts'

const DRIVE = /^[A-Za-z]:/u
const TRAILING_DOT_OR_SPACE = /[. ]$/u

/** UTF-8 length of `text`, in bytes. */
export function utf8Bytes (text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/**
 * The form two names are compared in for collisions: Unicode NFC, then lower case. Two names with the same key
 * land on the same file on macOS (APFS/HFS+: case- and normalization-insensitive) and Windows (NTFS:
 * case-insensitive).
 */
export function collisionKey (name: string): string {
  return name.normalize('NFC').toLowerCase()
}

/** `true` if `segment` opens a Windows device (`CON`, `nul.txt`, `Com1`, `LPT¹.log`, `aux .c`). */
export function isReservedName (segment: string): boolean {
  const dot = segment.indexOf('.')
  const stem = (dot === -1 ? segment : segment.slice(0, dot)).replace(/ +$/u, '')
  return WINDOWS_RESERVED_NAMES.has(stem.toUpperCase())
}

/**
 * Windows short (8.3) names the folder of partial files can get on NTFS volumes that generate them: leading dots
 * dropped, the first six characters and `~n` (`FERRY-~1`), or, past four of those, two characters, four hex digits
 * and `~n` (`FE1A2B~1`). Source: Microsoft "Naming Files, Paths, and Namespaces", "Short vs. Long Names"; Git refuses
 * `git~1` for `.git` for the same reason (CVE-2014-9390).
 */
const PARTIAL_FOLDER_SHORT_NAME = /^(?:ferry-~\d+|fe[0-9a-f]{4}~\d+)$/u

/**
 * `true` if `segment` names the folder of partial files ({@link PARTIAL_FOLDER}) in any spelling that lands on it: on
 * a case- or normalization-insensitive file system (`.Ferry-Partial`), or by a Windows short name (`FERRY-~1`).
 */
export function isPartialFolderName (segment: string): boolean {
  const key = collisionKey(segment)
  return key === PARTIAL_FOLDER || PARTIAL_FOLDER_SHORT_NAME.test(key)
}

/**
 * Checks one name (a file or folder name, no separators) against the per-segment rules.
 * Throws {@link UnsafePathError} naming `path` (the whole input) on the first rule it breaks.
 */
function checkSegment (path: string, segment: string): void {
  if (segment === '') throw new UnsafePathError(path, 'empty-segment', 'it has an empty name (a leading, trailing or doubled "/")')
  if (segment === '..') throw new UnsafePathError(path, 'parent-segment', 'it points outside the download folder')
  if (segment === '.') throw new UnsafePathError(path, 'current-segment', 'it contains a "." folder name')
  if (CONTROL_CHARACTERS.test(segment)) throw new UnsafePathError(path, 'control-character', 'it contains a control character')
  if (INVISIBLE_CHARACTERS.test(segment)) {
    throw new UnsafePathError(path, 'invisible-character', 'it contains an invisible or text-direction character that can disguise a name')
  }
  if (FORBIDDEN_CHARACTERS.test(segment)) {
    throw new UnsafePathError(path, 'forbidden-character', 'it contains one of the characters < > : " | ? * that Windows refuses')
  }
  if (TRAILING_DOT_OR_SPACE.test(segment)) {
    throw new UnsafePathError(path, 'trailing-dot-or-space', 'a name ends with a dot or a space, which Windows silently removes')
  }
  if (isReservedName(segment)) throw new UnsafePathError(path, 'reserved-name', 'it uses a device name reserved by Windows (such as CON or NUL)')
  if (isPartialFolderName(segment)) {
    throw new UnsafePathError(path, 'temp-folder-name', `it uses the name ${PARTIAL_FOLDER}, which Ferry keeps for partial files`)
  }
  if (utf8Bytes(segment) > MAX_SEGMENT_BYTES) {
    throw new UnsafePathError(path, 'segment-too-long', `a name is longer than ${MAX_SEGMENT_BYTES} bytes`)
  }
}

/**
 * Validates one peer-supplied relative path (`/`-separated, e.g. `photos/2024/beach.jpg`) and returns its segments
 * exactly as given (`['photos', '2024', 'beach.jpg']`), never rewritten.
 *
 * Refused: a non-string or empty path; lone UTF-16 surrogates; absolute (`/x`), drive (`C:`, `C:\x`, `c:x`) and UNC
 * (`\\server\share`, `//server/share`) paths; any `\`; more than {@link MAX_PATH_BYTES} UTF-8 bytes or
 * {@link MAX_DEPTH} segments; empty, `.` and `..` segments; control, invisible/bidi and Windows-forbidden characters;
 * names ending in a dot or space; Windows reserved device names; the name of the partial-files folder
 * ({@link PARTIAL_FOLDER}, any case); names over {@link MAX_SEGMENT_BYTES} UTF-8 bytes.
 *
 * @throws {UnsafePathError} code `unsafe-path`, `reason` names the rule
 */
export function validateRelativePath (path: string): string[] {
  if (typeof path !== 'string') throw new UnsafePathError(String(path), 'not-a-string', 'it is not text')
  if (path === '') throw new UnsafePathError(path, 'empty-path', 'it is empty')
  if (!path.isWellFormed()) throw new UnsafePathError(path, 'invalid-unicode', 'it is not valid Unicode text')
  if (path.startsWith('\\\\') || path.startsWith('//')) {
    throw new UnsafePathError(path, 'unc', 'it points to a network share, outside the download folder')
  }
  if (DRIVE.test(path)) throw new UnsafePathError(path, 'drive-letter', 'it points to a drive, outside the download folder')
  if (path.startsWith('/')) throw new UnsafePathError(path, 'absolute', 'it is an absolute path, outside the download folder')
  if (path.includes('\\')) throw new UnsafePathError(path, 'backslash', 'it contains a backslash, which Windows reads as a folder separator')
  if (utf8Bytes(path) > MAX_PATH_BYTES) throw new UnsafePathError(path, 'path-too-long', `it is longer than ${MAX_PATH_BYTES} bytes`)
  const segments = path.split('/')
  for (const segment of segments) checkSegment(path, segment)
  if (segments.length > MAX_DEPTH) throw new UnsafePathError(path, 'too-deep', `it is nested deeper than ${MAX_DEPTH} folders`)
  return segments
}

/** A folder implied by the list (every proper prefix of a path), remembered with the path that implied it. */
interface Seen { spelled: string, from: string }

/**
 * Validates a whole offered file list before anything touches disk: every path with {@link validateRelativePath},
 * then collisions across the list, which would make one file overwrite or land inside another:
 * - `duplicate`: the same path twice;
 * - `case-collision` / `unicode-collision`: paths (or folder names) equal after Unicode NFC + lower case
 *   (`A.txt` and `a.txt`; `é` composed and `e` + U+0301) — one file on macOS and Windows;
 * - `file-folder-collision`: `a` offered as a file and `a/b` also offered (in either order).
 *
 * Work is linear in the total length of the paths.
 *
 * @param paths the offer's relative file paths (files only; folders are implied by them)
 * @throws {UnsafePathError} for the first refused path, naming it (and `conflictsWith` for collisions)
 */
export function validateFileList (paths: readonly string[]): void {
  const files = new Map<string, string>() // collision key of a file path -> the path as offered
  const folders = new Map<string, Seen>() // collision key of a folder path -> its spelling and the path implying it
  for (const path of paths) {
    const segments = validateRelativePath(path)
    let folderKey = ''
    let folderSpelled = ''
    for (let i = 0; i < segments.length - 1; i++) {
      const segment = segments[i] as string
      folderKey += (i === 0 ? '' : '/') + collisionKey(segment)
      folderSpelled += (i === 0 ? '' : '/') + segment
      const file = files.get(folderKey)
      if (file !== undefined) {
        throw new UnsafePathError(path, 'file-folder-collision', `it needs a folder where ${displayPath(file)} is offered as a file`, file)
      }
      const seen = folders.get(folderKey)
      if (seen === undefined) {
        folders.set(folderKey, { spelled: folderSpelled, from: path })
      } else if (seen.spelled !== folderSpelled) {
        throw nameCollision(path, seen.from, folderSpelled, seen.spelled)
      }
    }
    const key = (folderKey === '' ? '' : folderKey + '/') + collisionKey(segments[segments.length - 1] as string)
    const folder = folders.get(key)
    if (folder !== undefined) {
      throw new UnsafePathError(path, 'file-folder-collision', `it is offered as a file but ${displayPath(folder.from)} needs it to be a folder`, folder.from)
    }
    const other = files.get(key)
    if (other !== undefined) {
      if (other === path) throw new UnsafePathError(path, 'duplicate', 'it is offered twice', other)
      throw nameCollision(path, other, path, other)
    }
    files.set(key, path)
  }
}

function nameCollision (path: string, other: string, mine: string, theirs: string): UnsafePathError {
  const unicode = mine.normalize('NFC') === theirs.normalize('NFC')
  return unicode
    ? new UnsafePathError(path, 'unicode-collision', `it is the same name as ${displayPath(other)} written with a different Unicode encoding`, other)
    : new UnsafePathError(path, 'case-collision', `it differs from ${displayPath(other)} only in upper/lower case, so they would be one file on Windows and macOS`, other)
}
