/**
 * The receive policy every host applies to incoming offers, and the listen default of a receiving peer.
 *
 * Order (each step may end it): the connection gater has already refused blocked contacts, and the transfer service
 * refuses unseen a peer `contacts.peerStanding` refuses (a blocked contact; with `contactsOnly`, a peer that is not a
 * contact). Then this policy: `onOffer` hears of every offer; while the peer is still starting (no store yet) the
 * offer is answered `busy`; with `acceptEvery` (`ferry receive --yes`) every offer the standing lets through is accepted
 * without asking and without a rate limit; otherwise the core trust policy (`contacts.trustPolicy`) decides — a
 * trusted contact is accepted without asking, a peer that is not a contact is rate-limited (`busy` beyond the limit,
 * defaults in `core/contacts/constants.ts`), everyone else is asked (`ask`).
 */
import { peerStanding, trustPolicy } from '../core/contacts/index.ts'
import type { DecideFn } from '../core/contacts/index.ts'
import type { IncomingOffer, OfferDecision } from '../core/index.ts'
import type { Contact, Store } from '../core/store/index.ts'

/** Where a peer that receives with LAN discovery listens, so LAN peers that find it by mDNS can dial it over TCP. */
export const LAN_LISTEN = ['/ip4/0.0.0.0/tcp/0']

/**
 * The listen addresses of a peer: the ones asked for; else, for a peer that receives with LAN discovery on,
 * {@link LAN_LISTEN}; else none beyond the core's defaults (undefined).
 */
export function listenAddrsOf (listen: string[] | undefined, options: { mdns: boolean, receives: boolean }): string[] | undefined {
  return listen ?? (options.mdns && options.receives ? [...LAN_LISTEN] : undefined)
}

/** Options of {@link receivePolicy}. */
export interface ReceivePolicyInit {
  /** The running peer's contacts, read at each offer; undefined while the peer starts. */
  store: () => Pick<Store, 'contacts'> | undefined
  /** Whether only contacts may send (the `contactsOnly` setting), read at each offer. */
  contactsOnly: () => boolean
  /** Asks the person: for contacts that are not trusted, and for peers that are not contacts within the rate limit. */
  ask: DecideFn
  /** Accept every offer the standing lets through, unasked and without the rate limit; called with each. */
  acceptEvery?: (offer: IncomingOffer) => void
  /** Called first with every offer that reaches the policy. */
  onOffer?: (offer: IncomingOffer) => void
  /** Called when a trusted contact's offer is accepted without asking. */
  onAutoAccepted?: (offer: IncomingOffer, contact: Contact) => void
  /** Called when an offer of a peer that is not a contact is refused `busy` by the rate limit. */
  onRateLimited?: (offer: IncomingOffer) => void
  /**
   * Narrows every accepted offer of files to the files it returns (indexes in the offer, increasing; undefined: all of
   * them); an empty list declines the offer (`ferry receive --accept-glob`).
   */
  choose?: (offer: IncomingOffer) => number[] | undefined
}

/** `decision`, narrowed by `choose` (see {@link ReceivePolicyInit.choose}). */
function narrowed (decision: OfferDecision, offer: IncomingOffer, choose: ReceivePolicyInit['choose']): OfferDecision {
  if (!decision.accept || choose == null || offer.kind === 'text') return decision
  const files = choose(offer)
  if (files == null) return decision
  if (files.length === 0) return { accept: false, code: 'declined', reason: 'None of the offered files is wanted' }
  return files.length === offer.files.length ? decision : { ...decision, files }
}

/** The decision function of the receive policy (see the module); pass it to `startPeer({ decide })`. Never throws. */
export function receivePolicy (init: ReceivePolicyInit): DecideFn {
  const contacts = { get contacts () { const store = init.store(); if (store == null) throw new Error('no store yet'); return store.contacts } }
  const standing = peerStanding({ store: contacts, contactsOnly: init.contactsOnly })
  const trust = trustPolicy({
    store: contacts,
    contactsOnly: init.contactsOnly,
    ask: init.ask,
    onAutoAccepted: init.onAutoAccepted,
    onRateLimited: init.onRateLimited
  })
  return async (offer, signal): Promise<OfferDecision> => {
    init.onOffer?.(offer)
    if (init.store() == null) return { accept: false, code: 'busy', reason: 'Starting up; try again' }
    if (init.acceptEvery != null) {
      const { refused } = standing(offer.peerId)
      if (refused != null) return { accept: false, ...refused }
      init.acceptEvery(offer)
      return narrowed({ accept: true }, offer, init.choose)
    }
    return narrowed(await trust(offer, signal), offer, init.choose)
  }
}
