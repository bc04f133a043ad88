/**
 * Contacts that relay for their contacts (docs/CONNECTIVITY.md §9, "Contacts and your own devices as relays"): which
 * they are, learned from identify (their protocols include circuit-relay-v2's HOP when `relayForContacts` is on) and kept in SQLite
 * (`contacts.relay_addrs`); and a reservation kept on each, so contacts behind NATs can reach this peer through them.
 */
import { EventEmitter } from 'node:events'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import type { IdentifyResult } from '@libp2p/interface'
import { RelayReservations } from '../node/index.ts'
import type { FerryLibp2p, RelayState } from '../node/index.ts'
import type { Contact, Store } from '../store/index.ts'
import { MAX_CONTACT_RELAYS_USED } from './constants.ts'
import { isDirectTcp, withPeerId } from './route.ts'

/** A contact that relays for this peer, and this peer's reservation on it. */
export interface ContactRelayState {
  peerId: string
  name: string
  /** The multiaddr reserved on (its first stored relay address, ending in `/p2p/<its peer ID>`). */
  relay: string
  state: RelayState['state']
  problem?: RelayState['problem']
}

/** A contact relay a route may go through: `relay` ends in `/p2p/<peerId>`. */
export interface ContactRelay { peerId: string, name: string, relay: string }

/**
 * The contacts that relay for this peer's contacts (not blocked, not `except`), by name, at most
 * {@link MAX_CONTACT_RELAYS_USED}: each with its first stored relay address.
 */
export function contactRelaysOf (store: Pick<Store, 'contacts'>, except?: string): ContactRelay[] {
  return store.contacts.list()
    .filter(c => !c.blocked && c.peerId !== except && (c.relayAddrs?.length ?? 0) > 0)
    .slice(0, MAX_CONTACT_RELAYS_USED)
    .map(c => ({ peerId: c.peerId, name: c.name, relay: withPeerId(c.relayAddrs?.[0] ?? '', c.peerId) }))
}

/** Options of {@link ContactRelays}. */
export interface ContactRelaysInit {
  node: FerryLibp2p
  store: Pick<Store, 'contacts'>
  /** Whether to keep reservations on contact relays (a receiver: true; a one-shot sender only records them). */
  reserve?: boolean
}

/**
 * Follows which contacts relay for this peer: on each identify of a contact (not blocked) it records the contact's
 * reachable direct addresses (`store.contacts.setRelayAddrs`) when its protocols include {@link RELAY_V2_HOP_CODEC}, or
 * clears them when they no longer do; and (with `reserve`) keeps a reservation on each such contact, as on a
 * configured relay ({@link RelayReservations}: retried with backoff), so peers reach this one at
 * `<contact>/p2p-circuit/webrtc/p2p/<this peer>`.
 *
 * The addresses recorded are the one this peer dialled the contact at (when direct) and the direct TCP addresses it
 * announced, at most `MAX_RELAY_ADDRS` (store). A contact that relays but announces no direct address and was never
 * dialled directly (behind a NAT: unreachable) is not recorded.
 */
export class ContactRelays extends EventEmitter<{ change: [ContactRelayState[]] }> {
  private readonly init: ContactRelaysInit
  private readonly reservations: RelayReservations
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => { this.identified(evt.detail) }

  constructor (init: ContactRelaysInit) {
    super()
    this.init = init
    this.reservations = new RelayReservations(init.node, [])
    this.reservations.on('change', () => this.emit('change', this.list()))
  }

  /** Starts: reserves on the contact relays already stored, and follows identify. */
  start (): void {
    this.init.node.addEventListener('peer:identify', this.onIdentify)
    if (this.init.reserve === true) for (const r of contactRelaysOf(this.init.store)) this.reservations.add(r.relay)
  }

  stop (): void {
    this.init.node.removeEventListener('peer:identify', this.onIdentify)
    this.reservations.stop()
  }

  /** The contact relays this peer keeps (or tries to keep) a reservation on. */
  list (): ContactRelayState[] {
    return this.reservations.current.flatMap(s => {
      const peerId = s.relay.slice(s.relay.lastIndexOf('/p2p/') + 5)
      const contact = this.init.store.contacts.get(peerId)
      if (contact == null) return []
      return [{ peerId, name: contact.name, relay: s.relay, state: s.state, ...(s.problem == null ? {} : { problem: s.problem }) }]
    })
  }

  private identified (result: IdentifyResult): void {
    const peerId = result.peerId.toString()
    const contact = this.init.store.contacts.get(peerId)
    if (contact == null || contact.blocked) return
    if (!result.protocols.includes(RELAY_V2_HOP_CODEC)) {
      if (contact.relayAddrs != null) this.init.store.contacts.setRelayAddrs(peerId, undefined)
      return
    }
    const addrs = relayAddrsOf(contact, result)
    if (addrs.length === 0) return
    this.init.store.contacts.setRelayAddrs(peerId, addrs)
    if (this.init.reserve === true && contactRelaysOf(this.init.store).some(r => r.peerId === peerId)) {
      this.reservations.add(withPeerId(addrs[0] ?? '', peerId))
    }
  }
}

/**
 * The direct TCP addresses a relaying contact is reached at: the one this peer dialled (an outbound connection's
 * remote address: it answered there) first, then those it announced. An inbound connection's remote address is where
 * the contact's NAT sent it from, not where it can be reached, so it is not one.
 */
function relayAddrsOf (contact: Contact, result: IdentifyResult): string[] {
  const dialled = result.connection.direction === 'outbound' && result.connection.limits == null ? [result.connection.remoteAddr.toString()] : []
  const candidates = [...dialled, ...result.listenAddrs.map(String)]
  return [...new Set(candidates.filter(isDirectTcp).map(a => withPeerId(a, contact.peerId)))]
}
