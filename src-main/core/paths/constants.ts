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
 * Control characters: C0 (U+0000–U+001F, includes NUL and the ESC of terminal escape sequences), DEL (U+007F) and
 * C1 (U+0080–U+009F). Source: Microsoft "Naming Files, Paths, and Namespaces" (0–31 are refused by Windows); DEL
 * and C1 refused because they drive terminals (C1 `CSI` U+009B) and are invisible.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/u // eslint-disable-line no-control-regex

/**
 * Invisible, zero-width and bidirectional-control characters: they make a name look like something it is not
 * (`evil\u202Etxt.exe` displays as `evilexe.txt`). Source: Unicode TR#36 "Unicode Security Considerations" and the
 * Trojan Source bidi advisory (CVE-2021-42574); the list is the default-ignorable and bidi-format code points that
 * render as nothing, plus the blank Hangul fillers and the line/paragraph separators.
 *
 * Note: U+200D ZERO WIDTH JOINER is refused too, so emoji sequences such as family emoji are refused in names.
 */
// eslint-disable-next-line no-misleading-character-class -- joiners and combining marks are listed on purpose, singly
export const INVISIBLE_CHARACTERS = new RegExp('[' + [
  '\\u00AD', // soft hyphen
  '\\u034F', // combining grapheme joiner
  '\\u061C', // Arabic letter mark (bidi)
  '\\u115F\\u1160', // Hangul choseong/jungseong fillers
  '\\u17B4\\u17B5', // Khmer inherent vowels
  '\\u180B-\\u180F', // Mongolian free variation selectors and vowel separator
  '\\u200B-\\u200F', // zero-width space/non-joiner/joiner, LRM, RLM
  '\\u2028\\u2029', // line and paragraph separators
  '\\u202A-\\u202E', // bidi embeddings and overrides (LRE RLE PDF LRO RLO)
  '\\u2060-\\u206F', // word joiner, invisible operators, bidi isolates (LRI RLI FSI PDI), deprecated format controls
  '\\u3164', // Hangul filler
  '\\uFEFF', // byte order mark / zero-width no-break space
  '\\uFFA0', // halfwidth Hangul filler
  '\\uFFF9-\\uFFFB', // interlinear annotation controls
  '\\u{1D173}-\\u{1D17A}', // musical symbol format controls
  '\\u{E0000}-\\u{E007F}' // tag characters
].join('') + ']', 'u')

/**
 * The folder, directly in a download folder, that holds the receiver's partial (temp) files: `<root>/.ferry-partial/`.
 * No offered path may name it — a segment equal to it after Unicode NFC + lower case is refused (reason
 * `temp-folder-name`), in any position, so not even a later download folder that is an ancestor of this one lets an
 * offered path reach it. A file placed from an offer can therefore never be taken for a temp file (docs/PROTOCOL.md
 * §7, "Temp file"). Ferry's own rule.
 */
export const PARTIAL_FOLDER = '.ferry-partial'
