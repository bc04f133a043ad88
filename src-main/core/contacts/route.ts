/**
 * From a contact to a multiaddr: which addresses a contact is reached at (LAN, last known direct addresses, relays),
 * and the route `send --to <contact>` takes — a direct connection on the LAN when one comes up, else WebRTC via a
 * relay.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { LanDiscovery } from '../discovery/index.ts'
import { AbortedError } from '../errors/index.ts'
import { DialError, isReservedIPv4 } from '../node/index.ts'
import type { FerryLibp2p } from '../node/index.ts'
import type { Contact, Store } from '../store/index.ts'
import { CONTACT_RELAY_PROBE_MS, DIRECT_DIAL_TIMEOUT_MS, LAN_LOOKUP_MS } from './constants.ts'
import type { ContactRelay } from './contact-relays.ts'
import { AmbiguousContactError, UnknownContactError } from './errors.ts'

/** `addr` ending in `/p2p/<peerId>` (appended unless it already ends so). */
export function withPeerId (addr: string, peerId: string): string {
  return addr.endsWith(`/p2p/${peerId}`) ? addr : `${addr}/p2p/${peerId}`
}

/** The address of `peerId`'s relayed circuit through `relay` (used for presence pings: cheap, limited). */
export function circuitAddr (relay: string, peerId: string): string {
  return `${relay}/p2p-circuit/p2p/${peerId}`
}

/** The WebRTC address of `peerId` signalled through `relay` (the one file bytes are sent to). */
export function webrtcAddr (relay: string, peerId: string): string {
  return `${relay}/p2p-circuit/webrtc/p2p/${peerId}`
}

/** The relays (multiaddrs ending in `/p2p/<relay>`) among a contact's addresses, in stored order. */
export function relaysOf (contact: Pick<Contact, 'addrs'>): string[] {
  const relays = contact.addrs.filter(a => a.includes('/p2p-circuit')).map(a => a.slice(0, a.indexOf('/p2p-circuit')))
  return [...new Set(relays)].filter(r => r.includes('/p2p/'))
}

/** A contact's last known direct TCP addresses (no relay, no WebRTC), each ending in `/p2p/<peer ID>`. */
export function directAddrsOf (contact: Pick<Contact, 'addrs' | 'peerId'>): string[] {
  return contact.addrs.filter(isDirectTcp).map(a => withPeerId(a, contact.peerId))
}

/** Whether `addr` is a direct TCP address (not through a relay, not WebSockets or WebRTC). */
export function isDirectTcp (addr: string): boolean {
  try {
    const names = multiaddr(addr).getComponents().map(c => c.name)
    return names.includes('tcp') && !names.some(n => n === 'p2p-circuit' || n === 'ws' || n === 'wss' || n === 'webrtc' || n === 'webrtc-direct')
  } catch {
    return false
  }
}

/**
 * `addrs` with the public IPv4 ones first (e.g. a port the peer's router mapped, `node/port-mapping.ts`), the others
 * after in their order: a bounded list of a contact's addresses then keeps the one that reaches it from anywhere.
 */
export function publicFirst (addrs: readonly string[]): string[] {
  const isPublic = (addr: string): boolean => {
    const [, proto, host] = addr.split('/')
    return proto === 'ip4' && host != null && !isReservedIPv4(host)
  }
  return [...addrs.filter(isPublic), ...addrs.filter(a => !isPublic(a))]
}

/**
 * The contact or bare peer ID `nameOrId` is, else the contact named `nameOrId` (exactly, case-insensitively). A valid
 * peer ID always means that peer: a contact whose name looks like another peer's ID cannot capture files meant for
 * that peer.
 * @throws {AmbiguousContactError} when several contacts have that name
 * @throws {UnknownContactError} when it is neither a contact's name nor a peer ID
 */
export function resolveContact (store: Pick<Store, 'contacts'>, nameOrId: string): { peerId: string, contact?: Contact } {
  const byId = store.contacts.get(nameOrId)
  if (byId != null) return { peerId: byId.peerId, contact: byId }
  let peerId: string | undefined
  try {
    peerId = peerIdFromString(nameOrId).toString()
  } catch {
    // not a peer ID: a contact's name
  }
  if (peerId != null) return { peerId, contact: store.contacts.get(peerId) }
  const named = store.contacts.list().filter(c => c.name.toLowerCase() === nameOrId.toLowerCase())
  if (named.length > 1) throw new AmbiguousContactError(nameOrId, named.map(c => c.peerId))
  if (named[0] != null) return { peerId: named[0].peerId, contact: named[0] }
  throw new UnknownContactError(nameOrId)
}

/**
 * How a peer is reached: `lan` (found by mDNS), `last-known` (a stored direct address), `contact-relay` (WebRTC
 * signalled through a contact that relays for both, `relay` naming it; its circuit carries the bytes if WebRTC
 * fails), or `relay` (WebRTC signalled through the peer's or a configured relay).
 */
export interface Route {
  via: 'lan' | 'last-known' | 'contact-relay' | 'relay'
  addr: Multiaddr
  /** With `contact-relay`: the contact relaying. */
  relay?: ContactRelay
}

/** Options of {@link findRoute}. */
export interface FindRouteOptions {
  peerId: string
  contact?: Contact
  /** LAN discovery, when mDNS is on. */
  lan?: LanDiscovery
  /** Relays to use when the contact has none of its own (the configured ones). */
  relays: string[]
  /** Contacts that relay for this peer's contacts (`contactRelaysOf(store, peerId)`), tried before `relays`. */
  contactRelays?: ContactRelay[]
  /** How long to wait for a contact relay to connect to the peer, ms (default {@link CONTACT_RELAY_PROBE_MS}). */
  contactRelayProbeMs?: number
  signal?: AbortSignal
  /** How long to listen for the peer on the LAN, ms (default {@link LAN_LOOKUP_MS}). */
  lanLookupMs?: number
  /** How long a direct dial may take, ms (default {@link DIRECT_DIAL_TIMEOUT_MS}). */
  directDialTimeoutMs?: number
  /** Called when a direct attempt failed and the relay is used instead. */
  onDirectFailed?: (err: unknown) => void
}

/**
 * Finds how to reach `peerId`: first directly over TCP — at the addresses mDNS announced for it (waiting up to
 * `lanLookupMs` for an answer) and its last known direct addresses — and if a direct connection comes up it stays
 * open and its address is returned; otherwise WebRTC signalled through the first of `contactRelays` that connects to
 * the peer within `contactRelayProbeMs` (the peer holds a reservation there and the relay let both through: a small
 * limited circuit, opened in parallel on each), else through the contact's relays (from its invite), else through the
 * first configured relay, else — when there is none — through the first of `contactRelays` even though its probe did
 * not answer in time (the dial then retries as on any relay).
 *
 * @throws {DialError} (`peer-unreachable`) when no direct connection came up and no relay is known
 * @throws {AbortedError} when `signal` aborts
 */
export async function findRoute (node: FerryLibp2p, options: FindRouteOptions): Promise<Route> {
  const { peerId, contact } = options
  const lanPeer = options.lan == null
    ? undefined
    : await options.lan.waitFor(peerId, { timeoutMs: options.lanLookupMs ?? LAN_LOOKUP_MS, signal: options.signal })
  const lanAddrs = (lanPeer?.addrs ?? []).filter(isDirectTcp).map(a => withPeerId(a, peerId))
  const known = contact == null ? [] : directAddrsOf(contact)
  const direct = [...new Set([...lanAddrs, ...known])]
  if (direct.length > 0) {
    const timeout = AbortSignal.timeout(options.directDialTimeoutMs ?? DIRECT_DIAL_TIMEOUT_MS)
    try {
      const conn = await node.dial(direct.map(a => multiaddr(a)), { signal: options.signal == null ? timeout : AbortSignal.any([options.signal, timeout]) })
      if (conn.limits == null) {
        const addr = withPeerId(conn.remoteAddr.toString(), peerId)
        return { via: lanAddrs.includes(addr) ? 'lan' : 'last-known', addr: multiaddr(addr) }
      }
    } catch (err) {
      if (options.signal?.aborted === true) throw new AbortedError('Finding a route was cancelled', { cause: err })
      options.onDirectFailed?.(err)
    }
  }
  const viaContact = await firstContactRelay(node, peerId, options)
  if (viaContact != null) return { via: 'contact-relay', addr: multiaddr(webrtcAddr(viaContact.relay, peerId)), relay: viaContact }
  const relay = [...(contact == null ? [] : relaysOf(contact)), ...options.relays][0]
  if (relay != null) return { via: 'relay', addr: multiaddr(webrtcAddr(relay, peerId)) }
  // No other relay: a contact relay that did not answer the probe in time is still worth the dial's own retries.
  const lastResort = (options.contactRelays ?? []).find(r => r.peerId !== peerId)
  if (lastResort != null) return { via: 'contact-relay', addr: multiaddr(webrtcAddr(lastResort.relay, peerId)), relay: lastResort }
  throw new DialError(`Could not reach ${peerId}: it was not found on the LAN${direct.length > 0 ? ' and its direct addresses did not answer' : ''}, and no relay is known for it (add it from an invite, or pass --relay)`)
}

/**
 * The first contact relay through which a relayed connection to `peerId` opens within the probe time (all tried at
 * once), or undefined. The connection is a limited circuit — a ping's worth — that proves the peer holds a
 * reservation there and the relay lets both ends through.
 *
 * @throws {AbortedError} when `options.signal` aborts
 */
async function firstContactRelay (node: FerryLibp2p, peerId: string, options: FindRouteOptions): Promise<ContactRelay | undefined> {
  const candidates = (options.contactRelays ?? []).filter(r => r.peerId !== peerId)
  if (candidates.length === 0) return undefined
  const timeout = AbortSignal.timeout(options.contactRelayProbeMs ?? CONTACT_RELAY_PROBE_MS)
  const signal = options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
  try {
    return await Promise.any(candidates.map(async (r) => {
      const conn = await node.dial(multiaddr(circuitAddr(r.relay, peerId)), { signal })
      // Only a probe: the route's WebRTC dial does not need it, and a friend's relay carries nothing idle.
      if (conn.remoteAddr.toString().includes('/p2p-circuit')) await conn.close().catch(() => {})
      return r
    }))
  } catch (err) {
    if (options.signal?.aborted === true) throw new AbortedError('Finding a route was cancelled', { cause: err })
    return undefined
  }
}
