/**
 * Errors of the path-safety module. Every refusal is an {@link UnsafePathError} with code `unsafe-path` and a
 * `reason` that says which rule refused the path.
 */
import { FerryError } from '../errors/index.ts'
import { CONTROL_CHARACTERS, INVISIBLE_CHARACTERS } from './constants.ts'

/** Why a path was refused. Stable kebab-case strings: tests, logs and the UI switch on them. */
export type UnsafePathReason =
  | 'not-a-string'
  | 'empty-path'
  | 'invalid-unicode'
  | 'absolute'
  | 'drive-letter'
  | 'unc'
  | 'backslash'
  | 'path-too-long'
  | 'too-deep'
  | 'empty-segment'
  | 'parent-segment'
  | 'current-segment'
  | 'control-character'
  | 'invisible-character'
  | 'forbidden-character'
  | 'trailing-dot-or-space'
  | 'reserved-name'
  | 'temp-folder-name'
  | 'segment-too-long'
  | 'duplicate'
  | 'case-collision'
  | 'unicode-collision'
  | 'file-folder-collision'
  | 'outside-root'
  | 'not-a-single-name'
  | 'symlink-in-path'
  | 'not-a-directory'

/** Longest rendering of a path inside an error message, in UTF-16 units; longer input is cut with `…`. */
const MAX_DISPLAY_CHARS = 120

const INVISIBLE_GLOBAL = new RegExp(INVISIBLE_CHARACTERS.source, 'gu')
const CONTROL_GLOBAL = new RegExp(CONTROL_CHARACTERS.source, 'gu')

/**
 * Renders untrusted text as a quoted, escaped string safe to show a person or print to a terminal: quotes and
 * backslashes escaped (`JSON.stringify`), control characters (incl. C1 and terminal escapes), invisible and bidi
 * characters and lone surrogates shown as `\uXXXX`, cut to about 120 characters.
 */
export function displayPath (value: unknown): string {
  let text = typeof value === 'string' ? value : String(value)
  if (text.length > MAX_DISPLAY_CHARS) text = text.slice(0, MAX_DISPLAY_CHARS) + '…'
  const escape = (ch: string): string => {
    const cp = ch.codePointAt(0) ?? 0
    return cp > 0xFFFF ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`
  }
  // JSON.stringify escapes C0 controls and lone surrogates; C1, DEL and invisible characters are escaped here.
  return JSON.stringify(text).replace(CONTROL_GLOBAL, escape).replace(INVISIBLE_GLOBAL, escape)
}

/**
 * Thrown when a peer-supplied path is refused, or when the destination on disk would let a write escape the
 * download folder. Nothing has been written when it is thrown by validation.
 */
export class UnsafePathError extends FerryError {
  static override name = 'UnsafePathError'
  /** The offending input exactly as received (untrusted: render it with {@link displayPath}). */
  readonly path: string
  /** Which rule refused it. */
  readonly reason: UnsafePathReason
  /** For collisions: the other path in the list that `path` collides with. */
  readonly conflictsWith: string | undefined

  /**
   * @param path the offending input
   * @param reason which rule refused it
   * @param why the end of the message, for a person: `Refused "<path>": <why>`
   */
  constructor (path: string, reason: UnsafePathReason, why: string, conflictsWith?: string) {
    super('unsafe-path', `Refused ${displayPath(path)}: ${why}`)
    this.path = path
    this.reason = reason
    this.conflictsWith = conflictsWith
  }
}

/** Thrown by `freeName`/`placeFile` when `name`, `name (1)` … `name (10000)` are all taken. */
export class NoFreeNameError extends FerryError {
  static override name = 'NoFreeNameError'
  /** The folder that was searched. */
  readonly dir: string
  /** The wanted name. */
  readonly wanted: string

  constructor (dir: string, wanted: string, attempts: number) {
    super('no-free-name', `Could not find a free name for ${displayPath(wanted)} in ${displayPath(dir)} after ${attempts} attempts`)
    this.dir = dir
    this.wanted = wanted
  }
}
