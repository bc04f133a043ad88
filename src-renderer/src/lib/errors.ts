/**
 * Errors in words a person understands. Codes come from the API (`ApiErrorData.code`) and from transfers
 * (`TransferView.error.code`, docs/PROTOCOL.md §11). Messages are shown as text only.
 *
 * @example
 * ```ts
 * describeError({ code: 'peer-unreachable', message: '' })        // 'The other device is offline or cannot be reached.'
 * describeError({ code: 'invalid-request', message: 'Expected…' }) // 'Ferry refused that input.'
 * ```
 */

const WORDS: Record<string, string> = {
  // Transfers (docs/PROTOCOL.md §11)
  declined: 'Declined by the other side.',
  busy: 'The other side has too many offers waiting — try again in a minute.',
  cancelled: 'Cancelled.',
  paused: 'Paused — it can be resumed.',
  interrupted: 'The connection was lost before the end.',
  'insufficient-space': 'Not enough free disk space on the receiving side.',
  'disk-full': 'The disk is full.',
  'write-failed': 'The files could not be saved (disk full, no permission, or the folder is gone).',
  'read-failed': 'A file could not be read on the sending side (moved, deleted, or no permission).',
  'hash-mismatch': 'A file arrived corrupted and was not kept.',
  'size-mismatch': 'A file arrived with the wrong size and was not kept.',
  'invalid-offer': 'The other side refused the file list (unsafe or invalid file names).',
  'unsafe-path': 'A file name or folder on the receiving side was unsafe, so nothing was written there.',
  'protocol-error': 'The other device sent something Ferry did not expect.',
  timeout: 'The other device stopped answering.',
  internal: 'Something went wrong inside Ferry.',
  // Connecting
  'peer-unreachable': 'The other device is offline or cannot be reached.',
  'peer-offline': 'The other device is offline.',
  'no-relay': 'No relay is reachable, so devices outside this network cannot be reached.',
  offline: 'No internet connection: only nearby devices can reach you.',
  'no-network': 'This device has no network connection.',
  'limited-connection': 'Only a relayed connection was possible, which cannot carry files.',
  blocked: 'This peer is blocked.',
  // Calls
  'invalid-invite': 'That is not a Ferry invite. An invite starts with “ferry:”.',
  'invalid-request': 'Ferry refused that input.',
  unsupported: 'This is not available here.',
  'contact-not-found': 'That contact no longer exists.',
  'unknown-contact': 'That contact no longer exists.',
  'transfer-not-found': 'That transfer no longer exists.',
  'transfer-exists': 'That transfer already exists.',
  'connection-lost': 'The connection to Ferry was lost.',
  disconnected: 'The connection to Ferry was lost.'
}

/** An error as the API or a transfer carries it. */
export interface CodedError { code?: string, message?: string }

/** Codes whose message is written for developers (schema errors, wire details): the page says it in its own words. */
const TECHNICAL = new Set(['invalid-request', 'protocol-error', 'size-mismatch', 'unknown-call'])

/**
 * Words for an error. The app service already words its messages for a person, with the peer's name
 * (src-main/app/errors.ts), so a message is shown as it is; the page's own words are used when there is no message,
 * or when the code's messages are technical. A generic sentence is the last resort.
 */
export function describeError (err: unknown): string {
  const e = (err ?? {}) as CodedError
  const code = typeof e.code === 'string' ? e.code : undefined
  const message = typeof e.message === 'string' ? e.message.trim() : ''
  const ours = code != null && Object.hasOwn(WORDS, code) ? WORDS[code] as string : undefined
  if (message !== '' && (code == null || !TECHNICAL.has(code) || ours == null)) return message
  return ours ?? 'Something went wrong.'
}

/** The error's `code`, or `undefined`. */
export function errorCode (err: unknown): string | undefined {
  const c = (err as CodedError | null)?.code
  return typeof c === 'string' ? c : undefined
}
