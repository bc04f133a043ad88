/**
 * From core errors to {@link ApiError}s a person understands: one table of messages by core `code`, so every call
 * and every transfer view says the same thing about the same failure. The code stays the core's stable code (a
 * few are renamed for the UI: a full disk is `disk-full` whatever side noticed it).
 */
import { ApiError } from '../api/index.ts'
import { errorMessage } from '../core/index.ts'

/** Context that makes a message personal: the name of the peer involved. */
export interface ErrorContext {
  peerName?: string
  /** The side this machine is on: a full disk on a send is the receiver's. */
  direction?: 'send' | 'receive'
}

/** Whether an error (code and message) means the disk is full: ENOSPC/EDQUOT behind `write-failed`, or no room. */
function isDiskFull (code: string, message: string): boolean {
  return code === 'insufficient-space' || code === 'disk-full' || (code === 'write-failed' && /ENOSPC|EDQUOT|no space/i.test(message))
}

/**
 * The `{ code, message }` shown for a failure with core `code` and core `message`.
 * Unknown codes keep the core's message, which is already written for a person.
 */
export function describeFailure (code: string, message: string, ctx: ErrorContext = {}): { code: string, message: string } {
  const who = ctx.peerName ?? 'The other device'
  if (isDiskFull(code, message)) {
    return ctx.direction === 'send'
      ? { code: 'disk-full', message: `${who} does not have enough free space for these files.` }
      : { code: 'disk-full', message: 'The disk is full. Free some space; what was verified is kept and the transfer can resume.' }
  }
  switch (code) {
    case 'peer-unreachable':
      return { code, message: `${who} is offline or cannot be reached. Check that Ferry is running there, then try again.` }
    case 'no-network':
      return { code, message: 'This device has no network connection. Connect to a network and try again.' }
    case 'offline':
      return { code, message: 'No internet connection: only nearby devices can reach you. Ferry keeps trying the relays.' }
    case 'no-relay':
      return { code, message: 'The relay cannot be reached, so devices outside your network cannot reach you. Check your connection or the relays in Settings.' }
    case 'relay-refused':
      return { code, message: 'The relay refused to reserve a place for this device: it is full, or already serves as many devices from your network as it allows. Devices outside your network cannot reach you through it; try again in a few minutes, or add another relay in Settings.' }
    case 'declined': {
      // The receiver's reason, if it gave one (peer-supplied text: shown as text only).
      const reason = /declined: (.+)$/s.exec(message)?.[1]?.trim().slice(0, 200)
      return { code, message: reason == null || reason === '' ? `${who} declined the files.` : `${who} declined the files: ${reason}` }
    }
    case 'busy':
      return { code, message: `${who} has too many offers waiting for an answer. Try again in a minute.` }
    case 'cancelled':
    case 'aborted':
      return { code: 'cancelled', message: 'The transfer was cancelled.' }
    case 'paused':
      return { code, message: ctx.direction === 'receive' ? `The transfer was paused; it continues when ${ctx.peerName ?? 'the sender'} resumes it.` : 'The transfer was paused. It can be resumed.' }
    case 'blocked':
      return { code, message: `${who} is blocked. Unblock them in Contacts first.` }
    case 'invalid-invite':
      return { code, message: `${message.replace(/^Not a valid Ferry invite: /, 'This is not a valid Ferry invite: ')}` }
    case 'timeout':
      return { code, message: `${who} stopped answering. The transfer can be resumed once they are back.` }
    case 'stream-closed':
    case 'interrupted':
      return { code, message: `The connection to ${ctx.peerName ?? 'the other device'} was lost. ${ctx.direction === 'receive' ? 'It continues when they send again.' : 'The transfer can be resumed.'}` }
    case 'hash-mismatch':
      return { code, message: 'A file arrived damaged and could not be verified, so it was not kept.' }
    // The core's messages for these name local paths; the UI never shows a filesystem path (team rule).
    case 'read-failed':
      return { code, message: ctx.direction === 'receive' ? `${who} could not read a file it was sending.` : 'A file could not be read while it was being sent: it was moved, changed or deleted. Resume once it is back.' }
    case 'source-unreadable':
      return { code, message: 'A file to send was moved, changed or deleted before it was sent.' }
    case 'not-resumable':
      return { code, message: 'This transfer cannot be resumed: it was never accepted, it already ended, or a file was moved, changed or deleted since.' }
    case 'write-failed':
      return { code, message: ctx.direction === 'send' ? `${who} could not write the files.` : `The files could not be written into the download folder (${/\bE[A-Z]{2,}\b/.exec(message)?.[0] ?? 'error'}).` }
    case 'no-free-name':
      return { code, message: 'A received file could not be given a free name in the download folder.' }
    case 'limited-connection':
      return { code, message: `No direct connection to ${ctx.peerName ?? 'the other device'} could be made (only a relayed one, which never carries files).` }
    default:
      return { code, message }
  }
}

/** The {@link ApiError} for any thrown value: a core `FerryError` by its code, anything else as `internal`. */
export function toApiError (err: unknown, ctx: ErrorContext = {}): ApiError {
  if (err instanceof ApiError) return err
  const code = (err as { code?: unknown })?.code
  if (typeof code !== 'string' || !/^[a-z][a-z0-9-]*$/.test(code)) return new ApiError('internal', `Something went wrong: ${errorMessage(err)}`)
  const described = describeFailure(code, errorMessage(err), ctx)
  return new ApiError(described.code, described.message)
}
