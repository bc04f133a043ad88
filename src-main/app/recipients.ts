/**
 * Who a send goes to, for every host: the recipient as a person names it (a contact's name, a peer ID, or a multiaddr),
 * the checks before anything is dialled (a blocked contact, this device itself), the route to it, and what a
 * connection teaches about a contact (`touchSeen`). `ferry send --to …` and the app's sends both go through here.
 *
 * Resolution order (`resolveRecipient`): text starting with `/` is a multiaddr (its `/p2p/<peer ID>`, if any, names
 * the peer); otherwise a valid peer ID always means that peer — a contact whose name looks like another peer's ID
 * cannot capture files meant for that peer (`contacts.resolveContact`, test/hostile/app-contact-named-like-peer-id.test.ts);
 * otherwise the contact of that name (exactly, case-insensitively).
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { contactRelaysOf, findRoute, isDirectTcp, isPeerId, resolveContact } from '../core/contacts/index.ts'
import type { ContactRelay } from '../core/contacts/index.ts'
import { ConfigError, FerryError } from '../core/index.ts'
import type { ConnectionInfo, Peer } from '../core/index.ts'
import type { Contact, Store } from '../core/store/index.ts'
import { t } from '../text/index.ts'

/** A recipient resolved against the contacts. */
export interface Recipient {
  /** How the text named it. */
  by: 'address' | 'peer-id' | 'name'
  /** Its peer ID; undefined only for a multiaddr without `/p2p/<peer ID>`. */
  peerId?: string
  /** The contact with that peer ID, if it is one. */
  contact?: Contact
  /** The multiaddr given (`by: 'address'`). */
  addr?: Multiaddr
}

/** The recipient is a blocked contact: nothing is dialled. Code `blocked`; `peerId` and `contactName` say who. */
export class RecipientBlockedError extends FerryError {
  static override name = 'RecipientBlockedError'
  readonly peerId: string
  readonly contactName: string
  constructor (contact: Pick<Contact, 'peerId' | 'name'>) {
    super('blocked', t('app.recipient.blocked', { name: contact.name, peerId: contact.peerId }))
    this.peerId = contact.peerId
    this.contactName = contact.name
  }
}

/** The recipient is this device itself. Code `invalid-request`. */
export class OwnPeerError extends FerryError {
  static override name = 'OwnPeerError'
  constructor () {
    super('invalid-request', t('app.recipient.self'))
  }
}

/**
 * The multiaddr `text` names, or undefined when it is not an address (text not starting with `/`: a peer ID or a
 * name). Needs no store, so a host can decide before starting a peer whether it must look the recipient up.
 * @throws {ConfigError} (`invalid-config`) for text starting with `/` that is not a valid multiaddr
 */
export function addressOf (text: string): Multiaddr | undefined {
  if (!text.startsWith('/')) return undefined
  try {
    return multiaddr(text)
  } catch (err) {
    throw new ConfigError(t('app.recipient.badMultiaddr', { text }), { cause: err })
  }
}

/**
 * Resolves `to` — a multiaddr, a peer ID or a contact's name — against the contacts (see the module for the order).
 * @throws {ConfigError} for text starting with `/` that is not a valid multiaddr
 * @throws {AmbiguousContactError} (`ambiguous-contact`) when several contacts have that name
 * @throws {UnknownContactError} (`unknown-contact`) when it is neither an address, a peer ID nor a contact's name
 */
export function resolveRecipient (store: Pick<Store, 'contacts'>, to: string): Recipient {
  const addr = addressOf(to)
  if (addr != null) {
    const peerId = addr.getComponents().findLast(c => c.name === 'p2p')?.value
    return { by: 'address', addr, ...(peerId == null ? {} : { peerId, contact: store.contacts.get(peerId) }) }
  }
  const { peerId, contact } = resolveContact(store, to)
  return { by: isPeerId(to) ? 'peer-id' : 'name', peerId, contact }
}

/**
 * The checks before a send dials anything: the recipient is not a blocked contact, and not this device.
 * @throws {RecipientBlockedError} (`blocked`)
 * @throws {OwnPeerError} (`invalid-request`)
 */
export function checkRecipient (recipient: Recipient, selfPeerId: string): void {
  if (recipient.contact?.blocked === true) throw new RecipientBlockedError(recipient.contact)
  if (recipient.peerId === selfPeerId) throw new OwnPeerError()
}

/** How a recipient is reached: the address given, or what `contacts.findRoute` found. */
export interface RecipientRoute {
  via: 'address' | 'lan' | 'last-known' | 'contact-relay' | 'relay'
  addr: Multiaddr
  /** With `contact-relay`: the contact whose Ferry relays (docs/CONNECTIVITY.md §9). */
  relay?: ContactRelay
}

/**
 * The route to a recipient: the multiaddr it was given as, else (a peer ID or a contact) directly on the LAN or at a
 * last known direct address when a TCP connection comes up, else WebRTC signalled through a contact that relays for
 * its contacts (`contactRelaysOf`: the first whose probe reaches the recipient), else via the contact's relays, else
 * via the first of `relays`, else through a contact relay whose probe was late (`contacts.findRoute`).
 * @throws {DialError} (`peer-unreachable`) when no direct connection came up and no relay is known
 * @throws {AbortedError} when `signal` aborts
 */
export async function routeTo (peer: Pick<Peer, 'node' | 'lan' | 'store'>, recipient: Recipient, relays: string[], signal?: AbortSignal): Promise<RecipientRoute> {
  if (recipient.addr != null) return { via: 'address', addr: recipient.addr }
  if (recipient.peerId == null) throw new ConfigError(t('app.recipient.noPeerId'))
  return findRoute(peer.node, {
    peerId: recipient.peerId,
    contact: recipient.contact,
    lan: peer.lan,
    relays,
    contactRelays: contactRelaysOf(peer.store, recipient.peerId),
    signal
  })
}

/**
 * Records a connection to `peerId` in its contact: seen now, and the remote address when it is a direct TCP address
 * (one we dialled and it listens on), so it is dialled there next time. Nothing happens for a peer that is not a
 * contact, or once the store is closed.
 */
export function recordConnected (store: Pick<Store, 'contacts'>, peerId: string | undefined, info: Pick<ConnectionInfo, 'remoteAddr'>): void {
  if (peerId == null) return
  try {
    store.contacts.touchSeen(peerId, Date.now(), isDirectTcp(info.remoteAddr) ? [info.remoteAddr] : [])
  } catch { /* not a contact, or the store closed */ }
}
