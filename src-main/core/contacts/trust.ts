import type { Store } from '../store/index.ts'
import type { Contact } from '../store/index.ts'
import type { IncomingOffer, OfferDecision } from '../transfer/index.ts'
import { UNKNOWN_OFFER_WINDOW_MS, UNKNOWN_OFFERS_PER_PEER, UNKNOWN_OFFERS_TOTAL } from './constants.ts'

/** A decision function, as `startPeer({ decide })` takes it. */
export type DecideFn = (offer: IncomingOffer, signal: AbortSignal) => Promise<OfferDecision>

/** Options of {@link trustPolicy}. */
export interface TrustPolicyInit {
  /** Where contacts (trusted / blocked flags) are read from, at each offer. */
  store: Pick<Store, 'contacts'>
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
 * The trust policy around a person's decision: an offer from a **trusted** contact is accepted without asking; from
 * any other contact the person is asked; from a peer that is **not a contact** the person is asked only within a rate
 * limit (at most `perPeer` offers per peer and `total` offers from all such peers per `windowMs`; beyond it the offer
 * is answered `busy` unseen). A blocked contact's offer is declined (the connection gater refuses blocked peers before
 * any protocol runs, so this is a second line). The peer ID it decides on is the one the connection authenticated.
 *
 * The transfer service's own flood control (undecided offers per peer) still applies on top of this.
 */
export function trustPolicy (init: TrustPolicyInit): DecideFn {
  const limiter = new SlidingWindowLimiter(
    init.limits?.perPeer ?? UNKNOWN_OFFERS_PER_PEER,
    init.limits?.total ?? UNKNOWN_OFFERS_TOTAL,
    init.limits?.windowMs ?? UNKNOWN_OFFER_WINDOW_MS,
    init.now ?? Date.now)
  return async (offer, signal) => {
    const contact = init.store.contacts.get(offer.peerId)
    if (contact?.blocked === true) return { accept: false, code: 'declined', reason: 'This peer is blocked' }
    if (contact?.trusted === true) {
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
