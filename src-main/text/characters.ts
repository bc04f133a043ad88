/**
 * The characters that make peer-supplied text unsafe to show as it is: they drive terminals, or they render as
 * nothing and make a name look like something it is not. One set for every place that refuses, strips or escapes
 * them: path rules (core/paths), invite names (core/contacts), the CLI, notifications and the page.
 */

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
