/**
 * Errors in words a person understands. The app service words every error it sends — call errors
 * (`ApiErrorData`) and a transfer's ending (`TransferView.error`) — with the one table of failures
 * (src-main/text/failures.ts), so the page shows that message as it is; the same table words the page's own codes
 * (`connection-lost`, `disconnected`), a code whose message is technical, and an error without a message. Messages
 * are shown as text only.
 *
 * @example
 * ```ts
 * describeError({ code: 'peer-unreachable', message: 'Bob is offline…' }) // 'Bob is offline…'
 * describeError({ code: 'connection-lost' })                              // 'The connection to Ferry was lost.'
 * describeError({ code: 'invalid-request', message: 'Expected…' })         // 'Ferry refused that input.'
 * ```
 */
import { failureText } from '../../../src-main/text/index.ts'
import { language } from './i18n.ts'

/** An error as the API or a transfer carries it. */
export interface CodedError { code?: string, reason?: string, message?: string }

/** Words for an error: the app's message, or the table's words (see the module comment). */
export function describeError (err: unknown): string {
  void language() // the table's words are drawn again when the language changes
  return failureText(err)
}
