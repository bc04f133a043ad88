/**
 * The one table of words for failures: a failure's typed facts — its `code`, the `reason` of a failed file operation,
 * the peer's own words — and the side this device is on become a sentence for a person. The app's views and call
 * errors, the CLI, the desktop notifications and the page all say a failure with these words. Nothing here reads a
 * message to learn what happened: the facts are typed fields.
 *
 * @example
 * ```ts
 * describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'receive' }).message
 * // 'The disk is full. Free some space; what was verified is kept and the transfer can resume.'
 * describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'send', peerName: 'Bob' }).message
 * // "Bob's disk is full. The transfer can resume once there is room."
 * ```
 *
 * The sentences are the catalog's `failure.*` messages, in the language in effect (./i18n.ts).
 */
import { t } from './i18n.ts'

/** The facts of a failure, as errors, transfer records and events carry them. */
export interface Failure {
  /** Stable kebab-case code (`write-failed`, `declined`, `peer-unreachable`, …). */
  code: string
  /** Why a file operation failed: one of the core's `FAILURE_REASONS` (`disk-full`, `permission-denied`, …). */
  reason?: string
  /** The words the peer sent with its refusal (a decline's reason): peer-supplied, shown as text only. */
  peerMessage?: string
  /** A short detail the core wrote for a person and that names no local path (an invalid invite's fault). */
  detail?: string
  /** The error's own message: shown only for a code this table has no words for. */
  message?: string
}

/** Who and where: the peer's name, and the side this device is on (a full disk on a send is the receiver's). */
export interface FailureContext {
  peerName?: string
  direction?: 'send' | 'receive'
}

/** A failure in words: its code (`aborted` reads as `cancelled`), its reason, and the sentence. */
export interface WordedFailure {
  code: string
  reason?: string
  message: string
}

/** Longest piece of a peer's own words shown, characters. */
const MAX_PEER_WORDS = 200

/** Codes whose messages are written for developers (schema errors, wire details): only the table's words are shown. */
const TECHNICAL = new Set(['invalid-request', 'protocol-error', 'size-mismatch', 'unknown-call'])

function capital (text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Words for a failed write: on a receive it is this device's disk, on a send the receiver's. */
function writeFailed (reason: string | undefined, direction: FailureContext['direction'], who: string): string {
  if (direction === 'send') {
    switch (reason) {
      case 'disk-full': return t('failure.writeFailed.send.diskFull', { who })
      case 'permission-denied': return t('failure.writeFailed.send.permissionDenied', { who })
      case 'folder-gone': return t('failure.writeFailed.send.folderGone', { who })
      default: return t('failure.writeFailed.send.other', { who })
    }
  }
  switch (reason) {
    case 'disk-full': return t('failure.writeFailed.diskFull')
    case 'permission-denied': return t('failure.writeFailed.permissionDenied')
    case 'folder-gone': return t('failure.writeFailed.folderGone')
    default: return t('failure.writeFailed.other')
  }
}

/** Words for a failed read: on a send it is this device's file, on a receive the sender's. */
function readFailed (reason: string | undefined, direction: FailureContext['direction'], who: string): string {
  if (direction === 'receive') return t('failure.readFailed.receive', { who })
  switch (reason) {
    case 'file-gone': return t('failure.readFailed.fileGone')
    case 'permission-denied': return t('failure.readFailed.permissionDenied')
    case 'file-changed': return t('failure.readFailed.fileChanged')
    default: return t('failure.readFailed.other')
  }
}

/** The sentence for `f`, or undefined when the table has no words for its code. */
function wordsFor (f: Failure, ctx: FailureContext): string | undefined {
  // The peer's name as it is; else a phrase, capitalised at the start of a sentence.
  const who = ctx.peerName ?? t(ctx.direction === 'send' ? 'failure.who.receiver' : ctx.direction === 'receive' ? 'failure.who.sender' : 'failure.who.other')
  const Who = ctx.peerName ?? capital(who)
  switch (f.code) {
    // Transfers (docs/PROTOCOL.md §11)
    case 'write-failed': return writeFailed(f.reason, ctx.direction, Who)
    case 'read-failed': return readFailed(f.reason, ctx.direction, Who)
    case 'insufficient-space':
      return ctx.direction === 'send' ? t('failure.insufficientSpace.send', { who: Who }) : t('failure.insufficientSpace.receive')
    case 'declined': {
      if (ctx.direction === 'receive') return t('failure.declined.receive')
      const said = f.peerMessage?.trim().slice(0, MAX_PEER_WORDS) ?? ''
      return said === '' ? t('failure.declined', { who: Who }) : t('failure.declined.said', { who: Who, said })
    }
    case 'offer-expired': return t('failure.offerExpired')
    case 'busy': return t('failure.busy', { who: Who })
    case 'cancelled':
    case 'aborted': return t('failure.cancelled')
    case 'paused':
      return ctx.direction === 'receive' ? t('failure.paused.receive', { who: ctx.peerName ?? t('failure.who.sender') }) : t('failure.paused')
    case 'timeout': return t('failure.timeout', { who: Who })
    case 'stream-closed':
    case 'interrupted':
      return t(ctx.direction === 'receive' ? 'failure.interrupted.receive' : 'failure.interrupted', { who })
    case 'hash-mismatch': return t('failure.hashMismatch')
    case 'size-mismatch': return t('failure.sizeMismatch')
    case 'invalid-offer': return ctx.direction === 'receive' ? t('failure.invalidOffer.receive') : t('failure.invalidOffer', { who: Who })
    case 'unsafe-path':
      // With a path rule as its reason, a name of this side's files was refused before anything was sent.
      return ctx.direction === 'send' && f.reason != null ? t('failure.unsafePath.send') : t('failure.unsafePath')
    case 'protocol-error': return t('failure.protocolError', { who: Who })
    case 'no-free-name': return t('failure.noFreeName')
    case 'source-unreadable':
      switch (f.reason) {
        case 'file-gone': return t('failure.sourceUnreadable.fileGone')
        case 'permission-denied': return t('failure.sourceUnreadable.permissionDenied')
        case 'file-changed': return t('failure.sourceUnreadable.fileChanged')
        default: return t('failure.sourceUnreadable.other')
      }
    case 'outbox-stale':
      return t(f.reason === 'file-gone' ? 'failure.outboxStale.fileGone' : f.reason === 'file-changed' ? 'failure.outboxStale.fileChanged' : 'failure.outboxStale.other')
    case 'outbox-full': return t('failure.outboxFull')
    case 'not-a-contact': return t('failure.notAContact')
    case 'not-resumable': return t('failure.notResumable')
    case 'internal': return t('failure.internal')
    // Connecting
    case 'peer-unreachable': return t('failure.peerUnreachable', { who: Who })
    case 'peer-offline': return t('failure.peerOffline', { who: Who })
    case 'no-network': return t('failure.noNetwork')
    case 'offline': return t('failure.offline')
    case 'no-relay': return t('failure.noRelay')
    case 'relay-refused': return t('failure.relayRefused')
    case 'limited-connection': return t('failure.limitedConnection', { who })
    case 'blocked': return t('failure.blocked', { who: Who })
    // Calls
    case 'invalid-invite': return f.detail == null || f.detail === '' ? t('failure.invalidInvite') : t('failure.invalidInvite.detail', { detail: f.detail })
    // Uploads to `ferry serve`
    case 'disk-full': return t('failure.diskFull')
    case 'invalid-request': return t('failure.invalidRequest')
    case 'unknown-call': return t('failure.unknownCall')
    case 'unsupported': return t('failure.unsupported')
    case 'contact-not-found': return t('failure.contactNotFound')
    case 'transfer-not-found': return t('failure.transferNotFound')
    case 'transfer-exists': return t('failure.transferExists')
    // The page's own: its connection to the app service
    case 'connection-lost':
    case 'disconnected': return t('failure.connectionLost')
    default: return undefined
  }
}

/**
 * The words for failure `f` on this device (`ctx`): the table's sentence for its code and reason, or — for a code the
 * table does not know — its own `message` (already written for a person), or a generic sentence.
 */
export function describeFailure (f: Failure, ctx: FailureContext = {}): WordedFailure {
  const code = f.code === 'aborted' ? 'cancelled' : f.code
  const message = wordsFor(f, ctx) ?? (f.message != null && f.message.trim() !== '' ? f.message.trim() : t('failure.generic'))
  return f.reason == null ? { code, message } : { code, reason: f.reason, message }
}

const CODE = /^[a-z][a-z0-9-]*$/

/**
 * The typed facts of a thrown value (an error with a kebab-case `code`), read from its fields — `reason` (a failed
 * file operation's), `peerMessage` (a peer's words), `detail` — and its message; undefined when it has no such code.
 */
export function failureOf (err: unknown): Failure | undefined {
  const e = err as { code?: unknown, reason?: unknown, peerMessage?: unknown, detail?: unknown, message?: unknown } | null | undefined
  if (typeof e?.code !== 'string' || !CODE.test(e.code)) return undefined
  const failure: Failure = { code: e.code, message: typeof e.message === 'string' ? e.message : String(err) }
  if (typeof e.reason === 'string') failure.reason = e.reason
  if (typeof e.peerMessage === 'string') failure.peerMessage = e.peerMessage
  if (typeof e.detail === 'string') failure.detail = e.detail
  return failure
}

/**
 * The sentence to show for an error that was already worded (an API error, a transfer view's `error`): its own
 * message, unless the code's messages are technical or there is none — then the table's words.
 */
export function failureText (err: unknown): string {
  const e = (err ?? {}) as { code?: unknown, reason?: unknown, message?: unknown }
  const code = typeof e.code === 'string' ? e.code : undefined
  const message = typeof e.message === 'string' ? e.message.trim() : ''
  if (message !== '' && (code == null || !TECHNICAL.has(code))) return message
  if (code == null) return t('failure.generic')
  return describeFailure({ code, reason: typeof e.reason === 'string' ? e.reason : undefined }).message
}
