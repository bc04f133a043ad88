/**
 * The languages Ferry speaks and the one translation function every layer uses: messages are ICU MessageFormat
 * strings (plurals, selects, numbers) in the catalogs `locales/en.ts` and `locales/zh-CN.ts`, formatted with
 * FormatJS (`@formatjs/intl`, docs/I18N.md). The language in effect is set once by each host (the CLI and the app
 * from `resolveLanguage` of the setting and the system locale, the page from the setting and `navigator.language`)
 * and read by `t`, `formatBytes`, `formatDuration` and the table of words for failures.
 *
 * @example
 * ```ts
 * setLanguage(resolveLanguage('system', 'zh_CN.UTF-8')) // 'zh-CN'
 * t('common.files', { count: 3 })                       // '3 个文件'
 * ```
 */
import { createIntl, createIntlCache } from '@formatjs/intl'
import type { IntlShape } from '@formatjs/intl'
import { en } from './locales/en.ts'
import type { MessageKey } from './locales/en.ts'
import { zhCN } from './locales/zh-CN.ts'

/** The languages with a complete catalog, as BCP 47 tags. */
export const LANGUAGES = ['en', 'zh-CN'] as const

/** A language with a complete catalog. */
export type Language = (typeof LANGUAGES)[number]

/** The language setting: follow the system, or one of {@link LANGUAGES}. */
export type LanguageChoice = 'system' | Language

/** Every choice of the language setting, `system` first. */
export const LANGUAGE_CHOICES = ['system', 'en', 'zh-CN'] as const satisfies readonly LanguageChoice[]

/** Each catalog, by language: message key → ICU MessageFormat string. */
export const CATALOGS: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = { en, 'zh-CN': zhCN }

/** Values a message interpolates: `{name}` as text, `{count, plural, …}` and `{n, number}` as numbers. */
export type MessageValues = Record<string, string | number>

/** Whether `value` is a language setting (`system`, `en`, `zh-CN`). */
export function isLanguageChoice (value: unknown): value is LanguageChoice {
  return typeof value === 'string' && (LANGUAGE_CHOICES as readonly string[]).includes(value)
}

/**
 * The language for a setting and the system's locale: the setting unless it is `system`; else any Chinese locale
 * (`zh`, `zh-CN`, `zh_CN.UTF-8`, `zh-Hans-SG`, `zh-TW`: Simplified is the only Chinese catalog) gives `zh-CN`, and
 * anything else (or nothing) English.
 */
export function resolveLanguage (choice: LanguageChoice | undefined, systemLocale: string | undefined): Language {
  if (choice != null && choice !== 'system') return choice
  const tag = (systemLocale ?? '').trim().toLowerCase().replace(/_/g, '-')
  return tag === 'zh' || tag.startsWith('zh-') || tag.startsWith('zh.') ? 'zh-CN' : 'en'
}

const cache = createIntlCache()
const intls = new Map<Language, IntlShape<string>>()

/** The formatter of `language` (created once). A broken message is reported on the console and shown as its English text (FormatJS's fallback); test/unit/i18n-catalogs-are-complete.test.ts formats every message. */
function intlOf (language: Language): IntlShape<string> {
  let intl = intls.get(language)
  if (intl == null) {
    intl = createIntl({ locale: language, defaultLocale: 'en', messages: CATALOGS[language] }, cache)
    intls.set(language, intl)
  }
  return intl
}

let current: Language = 'en'

/** Sets the language every later `t` (and the size, duration and failure words) use. */
export function setLanguage (language: Language): void {
  current = language
}

/** The language in effect (English until a host sets another). */
export function getLanguage (): Language {
  return current
}

/** Message `key` in `language`, with `values` filled in. */
export function translate (language: Language, key: MessageKey, values?: MessageValues): string {
  // `ignoreTag`: `<dir>` in a message is text, not markup (the page wraps values in markup itself, `tSplit`).
  return intlOf(language).formatMessage({ id: key, defaultMessage: en[key] }, values, { ignoreTag: true })
}

/** Message `key` in the language in effect (see {@link setLanguage}), with `values` filled in. */
export function t (key: MessageKey, values?: MessageValues): string {
  return translate(current, key, values)
}

/** A number for a person in the language in effect (digits grouped as the locale does). */
export function formatNumber (n: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(current, options).format(n)
}

export type { MessageKey }
