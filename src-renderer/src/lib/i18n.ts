/**
 * The page's language: the `language` setting (`system`: `navigator.language`) through the catalogs of src-main/text
 * (docs/I18N.md). `t` reads a reactive value, so every template and `$derived` that says something is drawn again
 * when the language changes; `<html lang>` follows (screen readers and axe read it).
 *
 * @example
 * ```ts
 * useLanguage('zh-CN')
 * t('view.peers')                                   // '对等节点'
 * tSplit('app.serveHint', {}, ['command'])          // ['If you opened this page from ', 'command', ', check …']
 * ```
 */
import { createSubscriber } from 'svelte/reactivity'
import { getLanguage, resolveLanguage, setLanguage, t as translate } from '../../../src-main/text/index.ts'
import type { Language, LanguageChoice, MessageKey, MessageValues } from '../../../src-main/text/index.ts'

/** Tells every effect that read the language that it changed (set by the subscriber while one is listening). */
let changed: (() => void) | undefined
/** Makes the effect that calls it depend on the language (svelte/reactivity; plain TypeScript, so Node tests import this module too). */
const track = createSubscriber(update => {
  changed = update
  return () => { changed = undefined }
})

/** The page's root element (`<html>`); typed here so Node tests, which import this module, need no DOM types. */
function root (): { lang: string } | undefined {
  return (globalThis as { document?: { documentElement: { lang: string } } }).document?.documentElement
}

/** Applies the language of `choice` (`system` or none: the browser's) to every later word of the page and to `<html lang>`. */
export function useLanguage (choice: LanguageChoice | undefined): void {
  const language = resolveLanguage(choice, navigator.language)
  const html = root()
  if (language === getLanguage() && html?.lang === language) return
  setLanguage(language)
  if (html != null) html.lang = language
  changed?.()
}

/** The language in effect (a reactive read). */
export function language (): Language {
  track()
  return getLanguage()
}

const languageNow = language

/**
 * The locale for dates and times (a reactive read): the browser's own when it is of the page's language (`en-GB`
 * keeps its day-month order in English), else the language itself.
 */
export function dateLocale (): string {
  const language = languageNow()
  const browser = navigator.language
  return language === 'en' && /^en(-|$)/i.test(browser) ? browser : language
}

/** Message `key` in the page's language, with `values` filled in (src-main/text `t`, read reactively). */
export function t (key: MessageKey, values?: MessageValues): string {
  track()
  return translate(key, values)
}

const MARK = '\u0001'

/**
 * Message `key` cut around the values named in `slots`, for a template that wraps them in markup (`<code>`,
 * `<strong>`): even indices are text, odd indices the name of a slot.
 */
export function tSplit (key: MessageKey, values: MessageValues, slots: readonly string[]): string[] {
  const marked: MessageValues = { ...values }
  for (const slot of slots) marked[slot] = `${MARK}${slot}${MARK}`
  return t(key, marked).split(MARK)
}
