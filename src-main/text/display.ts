import { CONTROL_CHARACTERS, INVISIBLE_CHARACTERS } from './characters.ts'

const UNSAFE_GLOBAL = new RegExp(`${CONTROL_CHARACTERS.source}|${INVISIBLE_CHARACTERS.source}`, 'gu')

/** Whether `text` holds a control, invisible or bidi character ({@link CONTROL_CHARACTERS}, {@link INVISIBLE_CHARACTERS}). */
export function hasUnsafeCharacters (text: string): boolean {
  UNSAFE_GLOBAL.lastIndex = 0
  return UNSAFE_GLOBAL.test(text)
}

/**
 * Peer-supplied text for a terminal: every control, invisible or bidi character shown as `\uXXXX` (`\u{XXXXX}` above
 * U+FFFF) instead of acting on the terminal or hiding.
 */
export function printable (text: string): string {
  return text.replace(UNSAFE_GLOBAL, ch => {
    const cp = ch.codePointAt(0) ?? 0
    return cp > 0xFFFF ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`
  })
}

/**
 * Peer-supplied text for plain-text places that cannot show escapes (notifications, a title): control, invisible and
 * bidi characters removed, trimmed, and cut to at most `max` characters with `…`.
 */
export function cleanText (text: string, max: number): string {
  const clean = text.replace(UNSAFE_GLOBAL, '').trim()
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}
