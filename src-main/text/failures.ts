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
 */

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

function possessive (name: string): string {
  return `${name}'s`
}

/** Words for a failed write: on a receive it is this device's disk, on a send the receiver's. */
function writeFailed (reason: string | undefined, direction: FailureContext['direction'], Who: string): string {
  if (direction === 'send') {
    switch (reason) {
      case 'disk-full': return `${possessive(Who)} disk is full. The transfer can resume once there is room.`
      case 'permission-denied': return `${Who} may not write into the download folder there (permission denied, or a read-only disk).`
      case 'folder-gone': return `${possessive(Who)} download folder is gone (deleted, moved, or its disk removed).`
      default: return `${Who} could not write the files.`
    }
  }
  switch (reason) {
    case 'disk-full': return 'The disk is full. Free some space; what was verified is kept and the transfer can resume.'
    case 'permission-denied': return 'Ferry may not write into the download folder (permission denied, or a read-only disk).'
    case 'folder-gone': return 'The download folder is gone (deleted, moved, or its disk removed).'
    default: return 'The files could not be written into the download folder.'
  }
}

/** Words for a failed read: on a send it is this device's file, on a receive the sender's. */
function readFailed (reason: string | undefined, direction: FailureContext['direction'], Who: string): string {
  if (direction === 'receive') return `${Who} could not read a file it was sending.`
  switch (reason) {
    case 'file-gone': return 'A file to send is gone (moved or deleted). Resume once it is back.'
    case 'permission-denied': return 'A file to send may not be read (permission denied).'
    case 'file-changed': return 'A file changed while it was being sent. Send it again.'
    default: return 'A file could not be read while it was being sent: it was moved, changed or deleted. Resume once it is back.'
  }
}

/** The sentence for `f`, or undefined when the table has no words for its code. */
function wordsFor (f: Failure, ctx: FailureContext): string | undefined {
  // The peer's name as it is; else a phrase, capitalised at the start of a sentence.
  const who = ctx.peerName ?? (ctx.direction === 'send' ? 'the receiver' : ctx.direction === 'receive' ? 'the sender' : 'the other device')
  const Who = ctx.peerName ?? capital(who)
  switch (f.code) {
    // Transfers (docs/PROTOCOL.md §11)
    case 'write-failed': return writeFailed(f.reason, ctx.direction, Who)
    case 'read-failed': return readFailed(f.reason, ctx.direction, Who)
    case 'insufficient-space':
      return ctx.direction === 'send'
        ? `${Who} does not have enough free space for these files.`
        : 'There is not enough free space in the download folder for these files. Free some space; what was verified is kept and the transfer can resume.'
    case 'declined': {
      if (ctx.direction === 'receive') return 'You declined the files.'
      const said = f.peerMessage?.trim().slice(0, MAX_PEER_WORDS) ?? ''
      return said === '' ? `${Who} declined the files.` : `${Who} declined the files: ${said}`
    }
    case 'offer-expired': return 'Nobody answered the offer in time, so it was refused.'
    case 'busy': return `${Who} has too many offers waiting for an answer. Try again in a minute.`
    case 'cancelled':
    case 'aborted': return 'The transfer was cancelled.'
    case 'paused':
      return ctx.direction === 'receive' ? `The transfer was paused; it continues when ${ctx.peerName ?? 'the sender'} resumes it.` : 'The transfer was paused. It can be resumed.'
    case 'timeout': return `${Who} stopped answering. The transfer can be resumed once they are back.`
    case 'stream-closed':
    case 'interrupted':
      return `The connection to ${who} was lost. ${ctx.direction === 'receive' ? 'It continues when they send again.' : 'The transfer can be resumed.'}`
    case 'hash-mismatch': return 'A file arrived damaged and could not be verified, so it was not kept.'
    case 'size-mismatch': return 'A file arrived with the wrong size and was not kept.'
    case 'invalid-offer': return ctx.direction === 'receive' ? 'The offered file list was refused (unsafe or invalid file names).' : `${Who} refused the file list (unsafe or invalid file names).`
    case 'unsafe-path':
      // With a path rule as its reason, a name of this side's files was refused before anything was sent.
      return ctx.direction === 'send' && f.reason != null
        ? 'A file name cannot be sent as it is (the receiving side would refuse it); rename it and send again.'
        : 'A file name or folder on the receiving side was unsafe, so nothing was written there.'
    case 'protocol-error': return `${Who} sent something Ferry did not expect.`
    case 'no-free-name': return 'A received file could not be given a free name in the download folder.'
    case 'source-unreadable':
      switch (f.reason) {
        case 'file-gone': return 'A file or folder to send is not there (moved, deleted, or mistyped).'
        case 'permission-denied': return 'A file or folder to send may not be read (permission denied).'
        case 'file-changed': return 'A file to send changed before it was sent. Send it again.'
        default: return 'A file to send was moved, changed or deleted before it was sent.'
      }
    case 'not-resumable': return 'This transfer cannot be resumed: it was never accepted, it already ended, or a file was moved, changed or deleted since.'
    case 'internal': return 'Something went wrong inside Ferry.'
    // Connecting
    case 'peer-unreachable': return `${Who} is offline or cannot be reached. Check that Ferry is running there, then try again.`
    case 'peer-offline': return `${Who} is offline.`
    case 'no-network': return 'This device has no network connection. Connect to a network and try again.'
    case 'offline': return 'No internet connection: only nearby devices can reach you. Ferry keeps trying the relays.'
    case 'no-relay': return 'The relay cannot be reached, so devices outside your network cannot reach you. Check your connection or the relays in Settings.'
    case 'relay-refused': return 'The relay refused to reserve a place for this device: it is full, or already serves as many devices from your network as it allows. Devices outside your network cannot reach you through it; try again in a few minutes, or add another relay in Settings.'
    case 'limited-connection': return `No direct connection to ${who} could be made (only a relayed one, which never carries files).`
    case 'blocked': return `${Who} is blocked: unblock them in your contacts first.`
    // Calls
    case 'invalid-invite': return f.detail == null || f.detail === '' ? 'That is not a Ferry invite. An invite starts with “ferry:”.' : `This is not a valid Ferry invite: ${f.detail}`
    // Uploads to `ferry serve`
    case 'disk-full': return 'The disk is full: the file was not stored. Free some space and try again.'
    case 'invalid-request': return 'Ferry refused that input.'
    case 'unknown-call': return 'This version of Ferry does not know that request.'
    case 'unsupported': return 'This is not available here.'
    case 'contact-not-found': return 'That contact no longer exists.'
    case 'transfer-not-found': return 'That transfer no longer exists.'
    case 'transfer-exists': return 'That transfer already exists.'
    // The page's own: its connection to the app service
    case 'connection-lost':
    case 'disconnected': return 'The connection to Ferry was lost.'
    default: return undefined
  }
}

/**
 * The words for failure `f` on this device (`ctx`): the table's sentence for its code and reason, or — for a code the
 * table does not know — its own `message` (already written for a person), or a generic sentence.
 */
export function describeFailure (f: Failure, ctx: FailureContext = {}): WordedFailure {
  const code = f.code === 'aborted' ? 'cancelled' : f.code
  const message = wordsFor(f, ctx) ?? (f.message != null && f.message.trim() !== '' ? f.message.trim() : 'Something went wrong.')
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
  if (code == null) return 'Something went wrong.'
  return describeFailure({ code, reason: typeof e.reason === 'string' ? e.reason : undefined }).message
}
