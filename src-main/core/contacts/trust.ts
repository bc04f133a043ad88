import type { Store } from '../store/index.ts'
import type { Contact } from '../store/index.ts'
import type { IncomingOffer, OfferDecision, PeerStanding } from '../transfer/index.ts'
import { UNKNOWN_OFFER_WINDOW_MS, UNKNOWN_OFFERS_PER_PEER, UNKNOWN_OFFERS_TOTAL } from './constants.ts'

/** A decision function, as `startPeer({ decide })` takes it. */
export type DecideFn = (offer: IncomingOffer, signal: AbortSignal) => Promise<OfferDecision>

/** Options of {@link peerStanding}. */
export interface StandingInit {
  /** Where contacts (trusted / blocked flags) are read from, at each offer. */
  store: Pick<Store, 'contacts'>
  /** Whether only contacts may send (the app's `contactsOnly` setting), read at each offer; default false. */
  contactsOnly?: () => boolean
}

/** What the receive policy knows of one peer: its {@link PeerStanding}, and its contact record if it is one. */
function standingOf (init: StandingInit, peerId: string): PeerStanding & { record?: Contact } {
  const record = init.store.contacts.get(peerId)
  if (record?.blocked === true) return { contact: true, record, refused: { code: 'declined', reason: 'This peer is blocked' } }
  if (record == null && init.contactsOnly?.() === true) return { contact: false, refused: { code: 'declined', reason: 'This device accepts files only from its contacts' } }
  return record == null ? { contact: false } : { contact: true, record }
}

/**
 * The receive policy's standing of a peer, for `TransferService`'s `classify` (`startPeer` wires it): a contact or
 * not, and refused when it is a blocked contact or — with `contactsOnly` — not a contact. The same facts
 * {@link trustPolicy} decides on, read from the store at each call, so a change applies to the next offer, resumed
 * ones included.
 */
export function peerStanding (init: StandingInit): (peerId: string) => PeerStanding {
  return (peerId) => {
    const { contact, refused } = standingOf(init, peerId)
    return refused == null ? { contact } : { contact, refused }
  }
}

/** Options of {@link trustPolicy}. */
export interface TrustPolicyInit extends StandingInit {
  /** Asks the person (a prompt, a notification): used for contacts that are not trusted and for unknown peers. */
  ask: DecideFn
  /** Called when an offer from a trusted contact is accepted without asking. */
  onAutoAccepted?: (offer: IncomingOffer, contact: Contact) => void
  /** Called when an offer from an unknown peer is refused `busy` by the rate limit. */
  onRateLimited?: (offer: IncomingOffer) => void
  /** Rate limit of offers from peers that are not contacts (defaults: ./constants.ts). */
  limits?: { perPeer?: number, total?: number, windowMs?: number }
  /** Clock, ms (tests). */
  now?: () => number
}

/**
 * The trust policy around a person's decision: an offer from a **trusted** contact is accepted without asking (unless
 * it does not fit as a whole: `freeBytes`, then the person chooses); from
 * any other contact the person is asked; from a peer that is **not a contact** the person is asked only within a rate
 * limit (at most `perPeer` offers per peer and `total` offers from all such peers per `windowMs`; beyond it the offer
 * is answered `busy` unseen). A peer {@link peerStanding} refuses — a blocked contact, or a peer that is not a contact
 * while `contactsOnly` — is declined unseen (the connection gater refuses blocked peers before any protocol runs, and
 * the transfer service refuses by the same standing before asking, so this is a further line). The peer ID it decides
 * on is the one the connection authenticated.
 *
 * The transfer service's own flood control (undecided offers per peer and per class) still applies on top of this.
 */
export function trustPolicy (init: TrustPolicyInit): DecideFn {
  const limiter = new SlidingWindowLimiter(
    init.limits?.perPeer ?? UNKNOWN_OFFERS_PER_PEER,
    init.limits?.total ?? UNKNOWN_OFFERS_TOTAL,
    init.limits?.windowMs ?? UNKNOWN_OFFER_WINDOW_MS,
    init.now ?? Date.now)
  return async (offer, signal) => {
    const { record: contact, refused } = standingOf(init, offer.peerId)
    if (refused != null) return { accept: false, ...refused }
    // A trusted contact's offer that does not fit as a whole (`freeBytes`) is put to the person, who can choose files
    // that fit: accepting all of it would only fail with `insufficient-space`.
    if (contact?.trusted === true && offer.freeBytes == null) {
      init.onAutoAccepted?.(offer, contact)
      return { accept: true }
    }
    if (contact == null && !limiter.take(offer.peerId)) {
      init.onRateLimited?.(offer)
      return { accept: false, code: 'busy', reason: 'Too many offers from peers that are not contacts; try again later' }
    }
    return init.ask(offer, signal)
  }
}

/** Counts events per key and in total over a sliding window; refuses beyond either limit. */
class SlidingWindowLimiter {
  private readonly perKey: number
  private readonly total: number
  private readonly windowMs: number
  private readonly now: () => number
  private readonly byKey = new Map<string, number[]>()

  constructor (perKey: number, total: number, windowMs: number, now: () => number) {
    this.perKey = perKey
    this.total = total
    this.windowMs = windowMs
    this.now = now
  }

  /** Records an event for `key` if both limits allow it; returns whether it was allowed. */
  take (key: string): boolean {
    const now = this.now()
    let count = 0
    // At most `total` timestamps are ever stored, so pruning everything on each call stays cheap.
    for (const [k, times] of this.byKey) {
      const recent = times.filter(t => now - t < this.windowMs)
      if (recent.length === 0) this.byKey.delete(k)
      else this.byKey.set(k, recent)
      count += recent.length
    }
    const mine = this.byKey.get(key) ?? []
    if (mine.length >= this.perKey || count >= this.total) return false
    this.byKey.set(key, [...mine, now])
    return true
  }
}
