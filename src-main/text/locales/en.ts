/**
 * The English catalog: every message key Ferry uses, with its ICU MessageFormat text (docs/I18N.md), in two parts —
 * the page's words (`./en-page.ts`) and every other layer's (`./en-words.ts`). The keys are the type
 * {@link MessageKey}; every other catalog has exactly these keys (`./zh-CN.ts` is typed by them, and
 * test/unit/i18n-catalogs-are-complete.test.ts checks every catalog and every key used in the code).
 */
import { enPage } from './en-page.ts'
import { enWords } from './en-words.ts'
import { enOutbox } from './en-outbox.ts'

export const en = { ...enWords, ...enPage, ...enOutbox }

/** A message key. */
export type MessageKey = keyof typeof en
