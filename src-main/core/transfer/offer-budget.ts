/**
 * Flood control of incoming offers waiting for a decision (docs/PROTOCOL.md §5, Receiver step 5; docs/LIMITS.md):
 * at most `perPeer` per peer, and two separate budgets for all peers together — one for contacts, one for peers that
 * are not contacts — so strangers cannot use up the places of contacts. An offer from a peer that is not a contact
 * also expires when nobody answers it within `strangerWaitMs`.
 */
import {
  MAX_PENDING_CONTACT_OFFERS, MAX_PENDING_OFFERS_PER_PEER, MAX_PENDING_STRANGER_OFFERS, STRANGER_OFFER_WAIT_MS
} from './constants.ts'
import type { IncomingOffer, OfferDecision } from './types.ts'

/** The limits of an {@link OfferBudget} (defaults: ./constants.ts). */
export interface OfferLimits {
  /** Offers from one peer waiting at once. */
  perPeer: number
  /** Offers from all contacts waiting at once. */
  contacts: number
  /** Offers from all peers that are not contacts waiting at once. */
  strangers: number
  /** How long an offer from a peer that is not a contact may wait for a decision, ms. */
  strangerWaitMs: number
}

/** The default limits, with `overrides` applied. */
export function offerLimitsOf (overrides: Partial<OfferLimits> = {}): OfferLimits {
  return {
    perPeer: MAX_PENDING_OFFERS_PER_PEER,
    contacts: MAX_PENDING_CONTACT_OFFERS,
    strangers: MAX_PENDING_STRANGER_OFFERS,
    strangerWaitMs: STRANGER_OFFER_WAIT_MS,
    ...overrides
  }
}

const BUSY: OfferDecision = { accept: false, code: 'busy', reason: 'Too many offers are waiting for an answer; try again later' }
const EXPIRED: OfferDecision = { accept: false, code: 'timeout', reason: 'Nobody answered the offer in time; offer it again later' }

/** Counts the offers waiting for a decision, by peer and by class (contact or not). */
export class OfferBudget {
  private readonly limits: OfferLimits
  private readonly byPeer = new Map<string, number>()
  private readonly byClass = { contact: 0, stranger: 0 }

  constructor (limits: Partial<OfferLimits> = {}) {
    this.limits = offerLimitsOf(limits)
  }

  /**
   * Runs `decide` for `offer` within the budget of its class: `busy` at once, without calling `decide`, when the peer
   * or its class has no place left; for a peer that is not a contact, `timeout` when `decide` has not answered within
   * `strangerWaitMs` (its signal is then aborted, so a question shown to a person is withdrawn). `onAdmitted` runs
   * once the offer has a place, before `decide`.
   */
  async run (offer: IncomingOffer, contact: boolean, signal: AbortSignal, decide: (signal: AbortSignal) => Promise<OfferDecision>, onAdmitted?: () => void): Promise<OfferDecision> {
    const cls = contact ? 'contact' : 'stranger'
    const mine = this.byPeer.get(offer.peerId) ?? 0
    if (mine >= this.limits.perPeer || this.byClass[cls] >= (contact ? this.limits.contacts : this.limits.strangers)) return BUSY
    this.byPeer.set(offer.peerId, mine + 1)
    this.byClass[cls]++
    const expiry = new AbortController()
    let timer: NodeJS.Timeout | undefined
    try {
      onAdmitted?.()
      if (contact) return await decide(signal)
      const expired = new Promise<OfferDecision>(resolve => {
        timer = setTimeout(() => { expiry.abort(); resolve(EXPIRED) }, this.limits.strangerWaitMs)
      })
      return await Promise.race([decide(AbortSignal.any([signal, expiry.signal])), expired])
    } finally {
      clearTimeout(timer)
      this.byClass[cls]--
      const left = (this.byPeer.get(offer.peerId) ?? 1) - 1
      if (left <= 0) this.byPeer.delete(offer.peerId)
      else this.byPeer.set(offer.peerId, left)
    }
  }
}
