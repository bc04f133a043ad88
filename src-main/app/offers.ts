/**
 * Incoming offers waiting for the person's answer, and the notices of offers decided without asking.
 *
 * The receive policy (./receive-policy.ts, wired by ./peer-session.ts) decides first — blocked contacts and, with
 * `contactsOnly`, peers that are not contacts are refused unseen (no offer, no transfer view, no history); a trusted
 * contact is accepted without asking ({@link OfferBook.autoAccepted} emits a `notice`); a peer that is not a contact is
 * rate-limited ({@link OfferBook.rateLimited}) — and asks the person through {@link OfferBook.ask} for everyone else:
 * an {@link OfferView} is emitted as `offer` (after `onAsked`, which shows it as a transfer) and the decision waits
 * for `answerOffer`, or ends (emitting `offer-closed`) when the sender goes away, or the offer of a peer that is not a
 * contact expires.
 */
import { ApiError } from '../api/index.ts'
import type { OfferView } from '../api/index.ts'
import { acceptedSubsetProblem } from '../core/index.ts'
import type { IncomingOffer, OfferDecision } from '../core/index.ts'
import type { Contact, Store } from '../core/store/index.ts'
import type { EventBus } from './events.ts'
import { formatBytes } from '../text/index.ts'

/** Options of {@link OfferBook}. */
export interface OfferBookInit {
  bus: EventBus
  /** The current peer's store (the contact is read when the person is asked). */
  store: () => Store
  /** Called when the person is asked about an offer, before its `offer` event. */
  onAsked?: (offer: IncomingOffer) => void
}

interface Pending {
  view: OfferView
  resolve: (decision: OfferDecision) => void
}

/** The offers waiting for an answer. */
export class OfferBook {
  private readonly init: OfferBookInit
  private readonly pending = new Map<string, Pending>()

  constructor (init: OfferBookInit) {
    this.init = init
  }

  /** A trusted contact's offer was accepted without asking: a `notice` says so. */
  autoAccepted (offer: IncomingOffer, contact: Contact): void {
    this.init.bus.emit('notice', {
      level: 'info',
      code: 'auto-accepted',
      message: `Receiving ${offer.files.length} file(s), ${formatBytes(offer.totalBytes)} from ${contact.name} without asking: ${contact.name} is a trusted contact.`
    })
  }

  /** An offer of a peer that is not a contact was refused by the rate limit: a `notice` says so. */
  rateLimited (offer: IncomingOffer): void {
    this.init.bus.emit('notice', {
      level: 'warning',
      code: 'rate-limited',
      message: `Refused an offer from peer-${offer.peerId.slice(-8)} unseen: too many offers from peers that are not contacts.`
    })
  }

  /** Offers waiting for an answer, oldest first. */
  list (): OfferView[] {
    return [...this.pending.values()].map(p => p.view)
  }

  /** Whether offer `transferId` is waiting for an answer. */
  has (transferId: string): boolean {
    return this.pending.has(transferId)
  }

  /**
   * Answers a waiting offer — with `files`, accepting only those (indexes in the offer); returns false when it is not
   * waiting (already answered, withdrawn, timed out).
   *
   * @throws {ApiError} `invalid-request` when `files` names a file the offer does not have, or one twice (the offer
   *   keeps waiting)
   */
  answer (transferId: string, accept: boolean, files?: number[]): boolean {
    const p = this.pending.get(transferId)
    if (p == null) return false
    const problem = accept && files != null ? acceptedSubsetProblem(files, p.view.files.length) : undefined
    if (problem != null) throw new ApiError('invalid-request', problem)
    p.resolve(accept ? { accept: true, ...(files == null ? {} : { files }) } : { accept: false, code: 'declined' })
    return true
  }

  /** Declines every waiting offer (the app stops). */
  closeAll (): void {
    for (const id of [...this.pending.keys()]) this.answer(id, false)
  }

  /**
   * Shows the offer and waits for the person's answer, or for `signal` (the sender left, the decision timed out).
   * Resolves with the decision; never throws.
   */
  async ask (offer: IncomingOffer, signal: AbortSignal): Promise<OfferDecision> {
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
    if (offer.kind === 'text') Object.assign(view, { kind: 'text', text: offer.text })
    if (offer.senderDevice != null) view.senderDevice = offer.senderDevice
    if (offer.freeBytes != null) view.freeBytes = offer.freeBytes
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
