import type { Connection, ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { FerryLibp2p } from './create.ts'
import {
  CONTACT_TAG, CONTACT_TAG_VALUE, INBOUND_UPGRADE_TIMEOUT_MS, MAX_PENDING_PER_SOURCE, MAX_RELAYED_STRANGER_CONNECTIONS,
  MAX_STRANGER_CONNECTIONS, MAX_STRANGER_PENDING, RELAYED_STRANGER_BURST, RELAYED_STRANGERS_PER_SECOND
} from './constants.ts'

/** Protocols whose streams do not make a connection busy: libp2p runs them on every connection by itself. */
const BACKGROUND_PROTOCOLS = new Set(['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0'])

/** The limits {@link ConnectionAdmission} enforces (defaults: ./constants.ts, docs/LIMITS.md). */
export interface AdmissionLimits {
  /** Open inbound connections of strangers, at most; beyond it the oldest idle ones are closed. */
  strangerConnections: number
  /** Open relayed connections of strangers, at most (counted in `strangerConnections` too). */
  relayedStrangerConnections: number
  /** Relayed connections of strangers admitted per second on average (all relays together): a token bucket's rate. */
  relayedStrangersPerSecond: number
  /** Relayed connections of strangers admitted at once after a quiet time: the token bucket's size. */
  relayedStrangerBurst: number
  /** Inbound connections of strangers or not yet identified, in their handshake at once, at most. */
  strangerPending: number
  /** Of those, from one source (an IPv4 address, an IPv6 /64, or one relay), at most. */
  pendingPerSource: number
  /** After this long (ms) a handshake is forgotten even if libp2p never reported its end (its upgrade timed out). */
  pendingExpiryMs: number
}

/** Options of {@link ConnectionAdmission}. */
export interface AdmissionInit {
  /** Whether a peer is a contact (and not blocked); a contact is never pruned, evicted or rate-limited here. */
  isContact?: (peerId: string) => boolean
  limits?: Partial<AdmissionLimits>
  /** Clock, ms (tests). */
  now?: () => number
}

interface PendingHandshake { maConn: MultiaddrConnection, source: string, timer: NodeJS.Timeout }

/**
 * Who gets a connection when strangers try to take them all (docs/CONNECTIVITY.md, "Who gets a connection"). libp2p's
 * connection manager refuses every new inbound connection once it holds `maxConnections` or
 * `maxIncomingPendingConnections` (js-libp2p `connection-manager/index.js`, `acceptIncomingConnection`); its pruner
 * only runs above `maxConnections`. This policy keeps strangers below those limits, so slots stay free for contacts,
 * for peers with a transfer running and for this peer's own dials:
 *
 * - **Open connections**: when a stranger's inbound connection opens and strangers hold more than `strangerConnections` (or
 *   relayed strangers more than `relayedStrangerConnections`), their oldest idle connections are closed — idle: no
 *   stream but libp2p's own (identify, ping). A connection with a transfer stream is never closed here. Contacts'
 *   connections carry a peer-store tag ({@link CONTACT_TAG}) so libp2p's own pruner closes them last too.
 * - **Handshakes**: an inbound connection that is not known to be a contact's takes a stranger handshake slot from
 *   the connection gater's `denyInboundConnection` until its upgrade ends; when `strangerPending` (or
 *   `pendingPerSource` from its source) are taken, the oldest such handshake is aborted — a silent socket is the
 *   oldest, an honest handshake ends in a few round trips. A contact's relayed connection (the relay names the peer)
 *   and WebRTC connections (upgraded locally, no round trip) take no such slot.
 * - **Relayed connections of strangers**: admitted from a token bucket of `relayedStrangerBurst` refilled at
 *   `relayedStrangersPerSecond` (gater `denyInboundRelayedConnection`, before any handshake). Every relayed connection reaches libp2p's per-host inbound
 *   threshold from the relay's IP address, so this keeps strangers from spending the threshold a contact's relayed
 *   connection needs.
 */
export class ConnectionAdmission {
  private readonly isContact: (peerId: string) => boolean
  private readonly limits: AdmissionLimits
  private readonly now: () => number
  /** Stranger handshakes in progress, oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<PendingHandshake>()
  private readonly pendingOf = new WeakMap<MultiaddrConnection, PendingHandshake>()
  /** Relayed-stranger tokens left, and when they were last counted (ms). */
  private relayedTokens: number
  private relayedCountedAt: number
  private node: FerryLibp2p | undefined

  constructor (init: AdmissionInit = {}) {
    this.isContact = init.isContact ?? (() => false)
    this.now = init.now ?? Date.now
    this.limits = {
      strangerConnections: MAX_STRANGER_CONNECTIONS,
      relayedStrangerConnections: MAX_RELAYED_STRANGER_CONNECTIONS,
      relayedStrangersPerSecond: RELAYED_STRANGERS_PER_SECOND,
      relayedStrangerBurst: RELAYED_STRANGER_BURST,
      strangerPending: MAX_STRANGER_PENDING,
      pendingPerSource: MAX_PENDING_PER_SOURCE,
      pendingExpiryMs: INBOUND_UPGRADE_TIMEOUT_MS + 1_000,
      ...init.limits
    }
    this.relayedTokens = this.limits.relayedStrangerBurst
    this.relayedCountedAt = this.now()
  }

  /** The connection-gater hooks of this policy (combine with others: every hook only denies). */
  gater (): Pick<ConnectionGater, 'denyInboundConnection' | 'denyInboundRelayedConnection' | 'denyInboundUpgradedConnection'> {
    return {
      denyInboundConnection: (maConn) => { this.admitHandshake(maConn); return false },
      denyInboundRelayedConnection: (_relay, remote) => !this.admitRelayed(remote),
      denyInboundUpgradedConnection: (_peer, maConn) => { this.release(this.pendingOf.get(maConn)); return false }
    }
  }

  /** Starts following `node`'s connections (once it is created with {@link gater}). */
  attach (node: FerryLibp2p): void {
    this.node = node
    node.addEventListener('connection:open', (evt) => { this.onOpen(evt.detail) })
  }

  /** Stranger handshakes in progress (for tests and diagnostics). */
  get pendingHandshakes (): number {
    return this.pending.size
  }

  private admitHandshake (maConn: MultiaddrConnection): void {
    const source = this.sourceOf(maConn.remoteAddr)
    if (source == null) return
    const sameSource = [...this.pending].filter(p => p.source === source)
    if (sameSource.length >= this.limits.pendingPerSource) this.evict(sameSource[0])
    else if (this.pending.size >= this.limits.strangerPending) this.evict(this.pending.values().next().value)
    const entry: PendingHandshake = { maConn, source, timer: setTimeout(() => this.release(entry), this.limits.pendingExpiryMs) }
    entry.timer.unref()
    this.pending.add(entry)
    this.pendingOf.set(maConn, entry)
    maConn.addEventListener('close', () => this.release(entry), { once: true })
  }

  private release (entry: PendingHandshake | undefined): void {
    if (entry == null || !this.pending.delete(entry)) return
    clearTimeout(entry.timer)
  }

  private evict (entry: PendingHandshake | undefined): void {
    if (entry == null) return
    this.release(entry)
    entry.maConn.abort(new Error('inbound handshake evicted: too many handshakes of strangers in progress'))
  }

  /**
   * Where a handshake comes from, for the per-source limit: the remote IPv4 address, its IPv6 /64, or — for a relayed
   * connection — the remote peer through that relay (a relay carries many honest peers at once; relayed strangers are
   * already paced by the token bucket of {@link admitRelayed}, so five senders dialling through one relay together
   * are not cut off as one source); undefined when it takes no stranger slot (a contact's relayed connection, or no
   * IP address: WebRTC).
   */
  private sourceOf (remoteAddr: Multiaddr): string | undefined {
    const text = remoteAddr.toString()
    const circuit = text.indexOf('/p2p-circuit')
    if (circuit >= 0) {
      const remote = text.slice(text.lastIndexOf('/p2p/') + 5)
      return this.isContact(remote) ? undefined : `relay ${text.slice(0, circuit)} peer ${remote}`
    }
    const [first] = remoteAddr.getComponents()
    if (first?.name === 'ip4' && first.value != null) return first.value
    if (first?.name === 'ip6' && first.value != null) return ipv6Prefix64(first.value)
    return undefined
  }

  private admitRelayed (remote: PeerId): boolean {
    if (this.isContact(remote.toString())) return true
    const now = this.now()
    this.relayedTokens = Math.min(this.limits.relayedStrangerBurst, this.relayedTokens + (now - this.relayedCountedAt) / 1_000 * this.limits.relayedStrangersPerSecond)
    this.relayedCountedAt = now
    if (this.relayedTokens < 1) return false
    this.relayedTokens -= 1
    return true
  }

  private onOpen (conn: Connection): void {
    const node = this.node
    if (node == null) return
    const contacts = new Map<string, boolean>()
    const isContact = (peer: PeerId): boolean => {
      const id = peer.toString()
      let known = contacts.get(id)
      if (known == null) contacts.set(id, known = this.isContact(id))
      return known
    }
    if (isContact(conn.remotePeer)) {
      node.peerStore.merge(conn.remotePeer, { tags: { [CONTACT_TAG]: { value: CONTACT_TAG_VALUE } } }).catch(() => {})
      return
    }
    if (conn.direction !== 'inbound') return
    // Only inbound connections are pruned: outbound ones are this peer's own dials (its relays, peers it sends to).
    const strangers = node.getConnections().filter(c => c.status === 'open' && c.direction === 'inbound' && !isContact(c.remotePeer))
    this.trim(strangers, this.limits.strangerConnections, conn)
    if (isRelayed(conn)) this.trim(strangers.filter(isRelayed), this.limits.relayedStrangerConnections, conn)
  }

  /** Closes the oldest idle connections of `conns` (the newest, `opened`, last) until at most `max` remain. */
  private trim (conns: Connection[], max: number, opened: Connection): void {
    let excess = conns.length - max
    if (excess <= 0) return
    const idle = conns.filter(c => c !== opened && isIdle(c)).sort((a, b) => a.timeline.open - b.timeline.open)
    if (isIdle(opened)) idle.push(opened)
    for (const c of idle) {
      if (excess-- <= 0) break
      // Aborted, not closed: a closing connection still counts against libp2p's maxConnections until it has closed.
      c.abort(new Error('connection pruned: too many connections of strangers'))
    }
  }
}

/** Whether a connection carries no stream but libp2p's own (identify, ping) or one still negotiating its protocol. */
function isIdle (conn: Connection): boolean {
  return conn.streams.every(s => s.protocol == null || s.protocol === '' || BACKGROUND_PROTOCOLS.has(s.protocol))
}

function isRelayed (conn: Connection): boolean {
  return conn.remoteAddr.toString().includes('/p2p-circuit')
}

/** The first four groups of an IPv6 address (its /64 network): one end site's addresses count as one source. */
function ipv6Prefix64 (address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail == null || tail === '' ? [] : tail.split(':')
  const groups = tail == null ? left : [...left, ...new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  return groups.slice(0, 4).map(g => g.replace(/^0+(?=.)/, '')).join(':') + '::/64'
}
