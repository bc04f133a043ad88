/**
 * Incoming offers: the decision every offer goes through, and the offers waiting for the person's answer.
 *
 * Order (each step may end it): the connection gater has already refused blocked peers; with the `contactsOnly`
 * setting, the transfer service has refused a peer that is not a contact unseen (`declined`, its `classify` is
 * `contacts.peerStanding`: no offer, no transfer view, no history); then the core trust policy
 * (`contacts.trustPolicy`, on the same facts): a trusted contact is accepted without asking (and a `notice` says so), a
 * peer that is not a contact is rate-limited (`busy` beyond the limit); everyone else is asked — an {@link OfferView}
 * is emitted as `offer` (after `onAsked`, which shows it as a transfer) and the decision waits for `answerOffer`, or
 * ends (emitting `offer-closed`) when the sender goes away, or the offer of a peer that is not a contact expires.
 */
import type { OfferView } from '../api/index.ts'
import { trustPolicy } from '../core/contacts/index.ts'
import type { DecideFn } from '../core/contacts/index.ts'
import type { DeviceKind, IncomingOffer, OfferDecision } from '../core/index.ts'
import type { Store } from '../core/store/index.ts'
import type { EventBus } from './events.ts'
import { formatBytes } from '../text/index.ts'

/** Options of {@link OfferBook}. */
export interface OfferBookInit {
  bus: EventBus
  /** The current peer's store (contacts are read at each offer). */
  store: () => Store
  contactsOnly: () => boolean
  /** Remembers the name and kind of device a peer announced (see `PeersView.announce`). */
  announced: (peerId: string, name: string | undefined, device: DeviceKind | undefined) => void
  /** Called when the person is asked about an offer, before its `offer` event. */
  onAsked?: (offer: IncomingOffer) => void
}

interface Pending {
  view: OfferView
  resolve: (decision: OfferDecision) => void
}

/** The offers waiting for an answer, and the decision function to give the peer. */
export class OfferBook {
  private readonly init: OfferBookInit
  private readonly pending = new Map<string, Pending>()
  private readonly policy: DecideFn

  constructor (init: OfferBookInit) {
    this.init = init
    const contacts = { get contacts () { return init.store().contacts } }
    this.policy = trustPolicy({
      store: contacts,
      contactsOnly: init.contactsOnly,
      ask: async (offer, signal) => this.ask(offer, signal),
      onAutoAccepted: (offer, contact) => init.bus.emit('notice', {
        level: 'info',
        code: 'auto-accepted',
        message: `Receiving ${offer.files.length} file(s), ${formatBytes(offer.totalBytes)} from ${contact.name} without asking: ${contact.name} is a trusted contact.`
      }),
      onRateLimited: (offer) => init.bus.emit('notice', {
        level: 'warning',
        code: 'rate-limited',
        message: `Refused an offer from peer-${offer.peerId.slice(-8)} unseen: too many offers from peers that are not contacts.`
      })
    })
  }

  /**
   * Decides an incoming offer (pass to `startPeer({ decide })`); see the module for the order of the checks.
   * Resolves with the decision; never throws.
   */
  readonly decide = async (offer: IncomingOffer, signal: AbortSignal): Promise<OfferDecision> => {
    this.init.announced(offer.peerId, offer.senderName, offer.senderDevice)
    return this.policy(offer, signal)
  }

  /** Offers waiting for an answer, oldest first. */
  list (): OfferView[] {
    return [...this.pending.values()].map(p => p.view)
  }

  /** Whether offer `transferId` is waiting for an answer. */
  has (transferId: string): boolean {
    return this.pending.has(transferId)
  }

  /** Answers a waiting offer; returns false when it is not waiting (already answered, withdrawn, timed out). */
  answer (transferId: string, accept: boolean): boolean {
    const p = this.pending.get(transferId)
    if (p == null) return false
    p.resolve(accept ? { accept: true } : { accept: false, code: 'declined' })
    return true
  }

  /** Declines every waiting offer (the app stops). */
  closeAll (): void {
    for (const id of [...this.pending.keys()]) this.answer(id, false)
  }

  /** Shows the offer and waits for the person's answer, or for `signal` (the sender left, the decision timed out). */
  private async ask (offer: IncomingOffer, signal: AbortSignal): Promise<OfferDecision> {
    const contact = this.init.store().contacts.get(offer.peerId)
    const view: OfferView = {
      transferId: offer.transferId,
      peerId: offer.peerId,
      shortId: offer.peerId.slice(-8),
      isContact: contact != null,
      files: offer.files.map((f, index) => ({ index, path: f.path, size: f.size })),
      totalBytes: offer.totalBytes,
      receivedAt: Date.now(),
      transport: offer.connection.transport
    }
    if (offer.senderName != null) view.senderName = offer.senderName
    if (offer.senderDevice != null) view.senderDevice = offer.senderDevice
    if (contact != null) view.contactName = contact.name
    const decided = Promise.withResolvers<OfferDecision>()
    const onAbort = (): void => decided.resolve({ accept: false, code: 'declined', reason: 'The offer was withdrawn' })
    if (signal.aborted) return { accept: false, code: 'declined', reason: 'The offer was withdrawn' }
    signal.addEventListener('abort', onAbort, { once: true })
    this.pending.set(offer.transferId, { view, resolve: decided.resolve })
    this.init.onAsked?.(offer)
    this.init.bus.emit('offer', view)
    try {
      return await decided.promise
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.pending.delete(offer.transferId)
      this.init.bus.emit('offer-closed', { transferId: offer.transferId })
    }
  }
}
