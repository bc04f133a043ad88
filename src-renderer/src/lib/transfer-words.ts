/**
 * How a transfer's state and ending read for a person: a short label for the state pill, its colour, and a sentence
 * for the ending (the app's words for its error, see `errors.ts`).
 *
 * @example
 * ```ts
 * stateLabel('declined') // 'Declined'
 * endingText(t)          // 'They declined.' / 'The other device is offline or cannot be reached.'
 * ```
 */
import type { TransferStateView, TransferView } from '../api/index.ts'
import { describeError } from './errors.ts'

const LABELS: Record<TransferStateView, string> = {
  connecting: 'Connecting',
  offered: 'Waiting for answer',
  accepted: 'Accepted',
  transferring: 'Transferring',
  completed: 'Completed',
  declined: 'Declined',
  failed: 'Failed',
  interrupted: 'Interrupted',
  cancelled: 'Cancelled'
}

/** The state pill's words; an offer waiting on this side says so. */
export function stateLabel (state: TransferStateView, direction?: TransferView['direction']): string {
  if (state === 'offered' && direction === 'receive') return 'Waiting for you'
  return LABELS[state]
}

/** The state pill's colour class (`ok`, `err`, `warn`, `accent` or none). */
export function stateTone (state: TransferStateView): string {
  switch (state) {
    case 'completed': return 'ok'
    case 'failed': return 'err'
    case 'declined': case 'interrupted': case 'cancelled': return 'warn'
    case 'transferring': case 'accepted': return 'accent'
    default: return ''
  }
}

/**
 * A sentence on how the transfer ended, or `null` while it runs or when it completed. `cancelledBy`: who cancelled
 * it, when this page knows (see `FerryState.cancelledBy`).
 */
export function endingText (t: TransferView, cancelledBy?: 'here' | 'there'): string | null {
  switch (t.state) {
    case 'declined':
      if (t.direction === 'receive') return 'You declined.'
      return t.error?.message != null && t.error.message !== '' ? t.error.message : `${t.peerName} declined.`
    case 'cancelled':
      if (cancelledBy === 'here') return 'You cancelled it.'
      if (cancelledBy === 'there') return `Cancelled by ${t.peerName}.`
      return t.error?.code === 'cancelled' || t.error == null ? 'Cancelled.' : describeError(t.error)
    case 'failed':
    case 'interrupted': {
      if (t.error == null) return t.state === 'interrupted' ? 'The connection was lost before the end.' : 'It failed.'
      // The app's words (src-main/text/failures.ts); the row's Resume button says whether it can resume.
      return describeError(t.error)
    }
    case 'offered':
      return t.direction === 'send' ? `Waiting for ${t.peerName} to accept…` : null
    case 'connecting':
      return t.direction === 'send' ? `Connecting to ${t.peerName}…` : null
    default:
      return null
  }
}
