/**
 * How a transfer's state and ending read for a person: a short label for the state pill, its colour, and a sentence
 * for the ending (the app's words for its error, see `errors.ts`).
 *
 * @example
 * The words are the catalog's `state.*` and `ending.*` (./i18n.ts).
 *
 * ```ts
 * stateLabel('declined') // 'Declined'
 * endingText(t)          // 'They declined.' / 'The other device is offline or cannot be reached.'
 * ```
 */
import type { TransferStateView, TransferView } from '../api/index.ts'
import type { MessageKey } from '../../../src-main/text/index.ts'
import { describeError } from './errors.ts'
import { t as tx } from './i18n.ts'

const LABELS: Record<TransferStateView, MessageKey> = {
  connecting: 'state.connecting',
  offered: 'state.offered',
  accepted: 'state.accepted',
  transferring: 'state.transferring',
  completed: 'state.completed',
  declined: 'state.declined',
  failed: 'state.failed',
  interrupted: 'state.interrupted',
  cancelled: 'state.cancelled'
}

/** The state pill's words; an offer waiting on this side says so. */
export function stateLabel (state: TransferStateView, direction?: TransferView['direction']): string {
  if (state === 'offered' && direction === 'receive') return tx('state.waitingForYou')
  return tx(LABELS[state])
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
      if (t.direction === 'receive') return tx('ending.youDeclined')
      return t.error?.message != null && t.error.message !== '' ? t.error.message : tx('ending.declined', { name: t.peerName })
    case 'cancelled':
      if (cancelledBy === 'here') return tx('ending.youCancelled')
      if (cancelledBy === 'there') return tx('ending.cancelledBy', { name: t.peerName })
      return t.error?.code === 'cancelled' || t.error == null ? tx('ending.cancelled') : describeError(t.error)
    case 'failed':
    case 'interrupted': {
      if (t.error == null) return t.state === 'interrupted' ? tx('ending.lost') : tx('ending.failed')
      // The app's words (src-main/text/failures.ts); the row's Resume button says whether it can resume.
      return describeError(t.error)
    }
    case 'offered':
      return t.direction === 'send' ? tx('ending.waiting', { name: t.peerName }) : null
    case 'connecting':
      return t.direction === 'send' ? tx('ending.connecting', { name: t.peerName }) : null
    default:
      return null
  }
}
