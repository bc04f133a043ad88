/**
 * The Simplified Chinese catalog (zh-CN): the same keys as `./en.ts`, each part typed by its English part, so a
 * missing or extra key fails `npm run typecheck`. Term choices are listed in docs/I18N.md.
 */
import type { MessageKey } from './en.ts'
import { zhCNPage } from './zh-CN-page.ts'
import { zhCNWords } from './zh-CN-words.ts'
import { zhCNOutbox } from './zh-CN-outbox.ts'

export const zhCN: Readonly<Record<MessageKey, string>> = { ...zhCNWords, ...zhCNPage, ...zhCNOutbox }
