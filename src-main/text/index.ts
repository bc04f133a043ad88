/**
 * Text shown to people, the same everywhere: the message catalogs and `t` (English and Simplified Chinese, ICU
 * MessageFormat through FormatJS; docs/I18N.md), sizes, failures in words (the one table: `describeFailure`), and
 * peer-supplied text made safe to show. Pure functions with no
 * imports outside this folder, so the core, the app, every host and the page (src-renderer) share them
 * (docs/ARCHITECTURE.md).
 *
 * @example
 * ```ts
 * formatBytes(1572864)                 // '1.5 MiB'
 * formatDuration(75_000)               // '1 min 15 s'
 * printable('evil\u202Etxt.exe')       // 'evil\\u202etxt.exe' (for a terminal)
 * cleanText('Alice\u0007\u200B', 48)   // 'Alice' (for a notification)
 * describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'receive' }).message // 'The disk is full. …'
 * setLanguage(resolveLanguage('system', 'zh_CN.UTF-8')); t('common.files', { count: 2 }) // '2 个文件'
 * ```
 */
export { CONTROL_CHARACTERS, INVISIBLE_CHARACTERS } from './characters.ts'
export { cleanText, hasUnsafeCharacters, printable } from './display.ts'
export { formatBytes } from './bytes.ts'
export { formatDuration } from './duration.ts'
export { describeFailure, failureOf, failureText } from './failures.ts'
export type { Failure, FailureContext, WordedFailure } from './failures.ts'
export { CATALOGS, LANGUAGE_CHOICES, LANGUAGES, getLanguage, isLanguageChoice, resolveLanguage, setLanguage, t, translate } from './i18n.ts'
export type { Language, LanguageChoice, MessageKey, MessageValues } from './i18n.ts'
