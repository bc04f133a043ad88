/**
 * Limits and character rules for peer-supplied relative paths. Each rule names its source; the module applies the
 * strictest common rule of the file systems Ferry writes to (ext4, APFS, NTFS, exFAT/FAT) so that an offer that is
 * accepted on one operating system is accepted, and lands the same way, on every other.
 */

/**
 * Maximum length of one path segment (a file or folder name), in UTF-8 bytes.
 * Source: ext4 `EXT4_NAME_LEN` = 255 bytes; APFS 255 UTF-8 bytes; NTFS/exFAT 255 UTF-16 units (a UTF-8 byte
 * budget of 255 is never longer than 255 UTF-16 units).
 */
export const MAX_SEGMENT_BYTES = 255

/**
 * Maximum length of a whole relative path, in UTF-8 bytes. Source: macOS `PATH_MAX` = 1024 bytes (Linux allows
 * 4096); leaves room for the destination folder itself under Linux's limit.
 */
export const MAX_PATH_BYTES = 1024

/** Maximum number of segments in one relative path (`a/b/c` has 3). Ferry's own limit against deep-nesting abuse. */
export const MAX_DEPTH = 32

/** How many `name (n).ext` candidates {@link freeName} tries before giving up. Ferry's own limit. */
export const MAX_FREE_NAME_ATTEMPTS = 10_000

/**
 * Windows reserved device names, compared case-insensitively against the part of a segment before its first dot
 * (with trailing spaces removed): `NUL`, `nul.txt` and `Nul .tar.gz` all open the NUL device.
 * Source: Microsoft "Naming Files, Paths, and Namespaces" (learn.microsoft.com/windows/win32/fileio/naming-a-file),
 * which also lists the superscript-digit forms `COM¹ COM² COM³ LPT¹ LPT² LPT³`; `CONIN$`/`CONOUT$` from the
 * `CreateFile` "Consoles" section; `CLOCK$` from croc `src/receivefs/path.go` and Git for Windows.
 * Stored upper case.
 */
export const WINDOWS_RESERVED_NAMES: ReadonlySet<string> = new Set([
  'CON', 'PRN', 'AUX', 'NUL', 'CONIN$', 'CONOUT$', 'CLOCK$',
  ...['1', '2', '3', '4', '5', '6', '7', '8', '9', '\u00B9', '\u00B2', '\u00B3'].flatMap(d => [`COM${d}`, `LPT${d}`])
])

/**
 * Characters Windows refuses in a name: `< > : " \ | ? *` (`/` is Ferry's separator, `\` is refused separately as
 * `backslash`). `:` also opens an NTFS alternate data stream (`a.txt:hidden`). Source: Microsoft "Naming Files,
 * Paths, and Namespaces".
 */
export const FORBIDDEN_CHARACTERS = /[<>:"|?*]/u

/**
 * Control characters and invisible, zero-width and bidi characters: refused in names. One set for every place that
 * checks or shows peer text (src-main/text, which gives the sources).
 */
export { CONTROL_CHARACTERS, INVISIBLE_CHARACTERS } from '../../text/index.ts'

/**
 * The folder, directly in a download folder, that holds the receiver's partial (temp) files: `<root>/.ferry-partial/`.
 * No offered path may name it — a segment equal to it after Unicode NFC + lower case is refused (reason
 * `temp-folder-name`), in any position, so not even a later download folder that is an ancestor of this one lets an
 * offered path reach it. A file placed from an offer can therefore never be taken for a temp file (docs/PROTOCOL.md
 * §7, "Temp file"). Ferry's own rule.
 */
export const PARTIAL_FOLDER = '.ferry-partial'
