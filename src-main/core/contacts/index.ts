/**
 * Contacts: people known by their cryptographic identity (a libp2p peer ID), not by an address. A contact keeps
 * working when either side changes network: it is dialled on the LAN (mDNS), at its last known direct addresses, and
 * via its relays, and every connection's Noise handshake proves its peer ID. No account, no server to trust.
 *
 * - **Invites** ({@link encodeInvite}, {@link decodeInvite}): `ferry:<peer ID>?name=…&relay=…`, schema-checked (zod);
 *   shown as text and as a QR code. Importing one adds the contact (`store.contacts.upsert`, relays kept as
 *   `<relay>/p2p-circuit/p2p/<id>` addresses: {@link contactFromInvite}).
 * - **Fingerprint** ({@link fingerprint}): five groups of four digits from SHA-256 over both peer IDs, the same on
 *   both sides; comparing it proves nobody swapped an invite.
 * - **Trust** ({@link trustPolicy}): trusted contacts' offers are accepted without asking, others are asked, peers
 *   that are not contacts are rate-limited. Blocked contacts never get that far: the node's connection gater refuses
 *   them before any protocol runs, every incoming transfer stream checks again before its offer, and connected peers
 *   are checked periodically (`startPeer` wires all three to the store). {@link peerStanding} gives the transfer
 *   service the same facts (contact or not; refused when blocked, or not a contact while only contacts may send) for
 *   its budgets of waiting offers, what it records, and resumed transfers.
 * - **Presence** ({@link PresenceTracker}): online/offline per contact, with its bound (see the class).
 * - **Routes** ({@link resolveContact}, {@link findRoute}): a name or peer ID to the address `send` dials; and
 *   {@link pathOf}: the path a connection took (direct, a contact's Ferry relaying — named —, TURN, another relay);
 *   the app words it for people.
 * - **Contact relays** ({@link ContactRelays}, {@link contactRelaysOf}): contacts that relay for their contacts, learned
 *   from identify and kept in the store; a reservation is kept on each, and routes go through them.
 *
 * The contacts themselves live in SQLite (`store.contacts`: name, kind of device, added time, last seen, last known
 * addresses, trusted, blocked), keyed by peer ID.
 *
 * @example
 * ```ts
 * const text = encodeInvite({ peerId: me.peerId, name: 'Alice', relays: [relayAddr] })   // 'ferry:12D3…?name=Alice&relay=…'
 * const invite = decodeInvite(text)
 * store.contacts.upsert(contactFromInvite(invite))
 * fingerprint(me.peerId, invite.peerId)                        // '0421 9930 1185 7702 4410', same on both sides
 * const decide = trustPolicy({ store, ask: promptThePerson })  // pass to startPeer({ decide })
 * const presence = new PresenceTracker({ node: peer.node, store: peer.store, lan: peer.lan })
 * presence.on('change', s => console.log(s.name, s.online ? 'online' : `last seen ${s.lastSeenAt}`))
 * presence.start()
 * const route = await findRoute(peer.node, { ...resolveContact(store, 'Alice'), lan: peer.lan, relays })
 * await peer.transfers.send(route.addr, ['./photos'])
 * ```
 */
import { MAX_CONTACT_ADDRS } from '../store/index.ts'
import type { Contact, ContactInput } from '../store/index.ts'
import { circuitAddr } from './route.ts'
import type { Invite } from './invite.ts'

export { ContactNameSchema, decodeInvite, encodeInvite, isInviteText, isPeerId } from './invite.ts'
export type { Invite } from './invite.ts'
export { fingerprint } from './fingerprint.ts'
export { peerStanding, trustPolicy } from './trust.ts'
export type { DecideFn, StandingInit, TrustPolicyInit } from './trust.ts'
export { PresenceTracker } from './presence.ts'
export type { PresenceInit, PresenceState } from './presence.ts'
export {
  circuitAddr, findRoute, isDirectTcp, relaysOf, resolveContact, withPeerId
} from './route.ts'
export type { FindRouteOptions, Route } from './route.ts'
export { ContactRelays, contactRelaysOf } from './contact-relays.ts'
export type { ContactRelay, ContactRelaysInit, ContactRelayState } from './contact-relays.ts'
export { pathOf } from './path.ts'
export type { PathInfo } from './path.ts'
export { InvalidInviteError } from './errors.ts'
export * from './constants.ts'

/**
 * The contact an invite describes, for `store.contacts.upsert`: named `options.name`, else — for a contact already
 * stored (`options.existing`) — its current name, else the invite's name, else `peer-<last 8 characters of the peer
 * ID>`; its addresses are the invite's relays as circuit addresses followed by the addresses already stored; its kind
 * of device is the invite's, else the one stored. Trust and block flags are left as stored.
 */
export function contactFromInvite (invite: Invite, options: { name?: string, existing?: Contact } = {}): ContactInput {
  const relays = invite.relays.map(r => circuitAddr(r, invite.peerId))
  return {
    peerId: invite.peerId,
    name: options.name ?? options.existing?.name ?? invite.name ?? `peer-${invite.peerId.slice(-8)}`,
    addrs: [...new Set([...relays, ...(options.existing?.addrs ?? [])])].slice(0, MAX_CONTACT_ADDRS),
    ...(invite.device == null ? {} : { device: invite.device })
  }
}
