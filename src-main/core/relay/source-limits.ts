import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Connection, ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Per-source limits enforced by {@link SourceLimits} (defaults in ./constants.ts). */
export interface SourceLimitsInit {
  /** Connections open at once from one source, handshakes included. */
  connections: number
  /** Connections in their handshake at once from one source. */
  pending: number
  /** Reservations held at once by peers connected from one source. */
  reservations: number
}

/** What {@link SourceLimits} reads from the running relay, once it exists. */
export interface SourceLimitsRelay {
  /** The relay's connections to `peer`. */
  connections: (peer: PeerId) => Connection[]
  /** The reservations the relay holds (circuit-relay-v2 server's `reservations`). */
  reservations: () => CircuitRelayService['reservations']
}

/**
 * The source of a connection's remote address: its IPv4 address (an IPv4-mapped IPv6 address counts as IPv4), or the
 * /64 prefix of its IPv6 address — the smallest block a host or household is given (RFC 6177), so an attacker cannot
 * multiply itself by choosing addresses inside its own /64. Undefined for an address without an IP (no limit applies).
 */
export function sourceOf (addr: Multiaddr): string | undefined {
  const ip = addr.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')
  if (ip?.value == null) return undefined
  if (ip.name === 'ip4') return ip.value
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip.value)
  if (dotted?.[1] != null) return dotted[1]
  const groups = expandIPv6(ip.value)
  // ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), which multiaddr writes in hex: ::ffff:cb00:7107.
  if (groups.slice(0, 5).every(g => g === '0') && groups[5] === 'ffff') {
    const word = (g: string | undefined): number[] => { const n = parseInt(g ?? '0', 16); return [n >> 8, n & 0xff] }
    return [...word(groups[6]), ...word(groups[7])].join('.')
  }
  return `${groups.slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros (`::` expanded). */
function expandIPv6 (addr: string): string[] {
  const [head = '', tail] = addr.toLowerCase().split('::')
  const parse = (part: string): string[] => part === '' ? [] : part.split(':').map(g => parseInt(g, 16).toString(16))
  const left = parse(head)
  const right = tail == null ? [] : parse(tail)
  return [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
}

/**
 * Counts a relay's connections and reservations per source address and refuses what goes beyond
 * {@link SourceLimitsInit}, as libp2p connection-gater hooks (libp2p's connection manager limits only totals and
 * the rate of new connections per host):
 * - `denyInboundConnection` runs when a TCP or WebSocket connection is accepted, before any handshake byte: a source
 *   at its connection or pending-handshake limit is refused there, which closes the socket and frees libp2p's
 *   pending slot at once. Each accepted connection counts until its `close` event; as pending until
 *   `denyInboundUpgradedConnection` (its handshake done).
 * - `denyInboundRelayReservation` refuses a new reservation (the relay answers `PERMISSION_DENIED`) when peers
 *   connected from the same source already hold the limit; a peer refreshing its own reservation is never refused.
 */
export class SourceLimits {
  private readonly limits: SourceLimitsInit
  private relay: SourceLimitsRelay | undefined
  /** Open connections per source, pending ones included. */
  private readonly open = new Map<string, number>()
  /** Connections still in their handshake, per source. */
  private readonly pending = new Map<string, Set<MultiaddrConnection>>()

  constructor (limits: SourceLimitsInit) {
    this.limits = limits
  }

  /** Connects the counter to the relay it guards; reservations are not limited per source before this. */
  attach (relay: SourceLimitsRelay): void {
    this.relay = relay
  }

  /** The connection-gater hooks, to pass as (part of) libp2p's `connectionGater`. */
  gater (): Pick<ConnectionGater, 'denyInboundConnection' | 'denyInboundUpgradedConnection' | 'denyInboundRelayReservation'> {
    return {
      denyInboundConnection: (maConn) => this.denyConnection(maConn),
      denyInboundUpgradedConnection: (_peer, maConn) => { this.settled(maConn); return false },
      denyInboundRelayReservation: (peer) => this.denyReservation(peer)
    }
  }

  /** Open connections (pending included) and pending handshakes from `source` now. */
  countOf (source: string): { open: number, pending: number } {
    return { open: this.open.get(source) ?? 0, pending: this.pending.get(source)?.size ?? 0 }
  }

  private denyConnection (maConn: MultiaddrConnection): boolean {
    const source = sourceOf(maConn.remoteAddr)
    if (source == null) return false
    const { open, pending } = this.countOf(source)
    if (open >= this.limits.connections || pending >= this.limits.pending) return true
    if (maConn.status !== 'open') return false
    this.open.set(source, open + 1)
    const handshaking = this.pending.get(source) ?? new Set()
    handshaking.add(maConn)
    this.pending.set(source, handshaking)
    maConn.addEventListener('close', () => {
      this.settled(maConn)
      const left = (this.open.get(source) ?? 1) - 1
      if (left > 0) this.open.set(source, left)
      else this.open.delete(source)
    }, { once: true })
    return false
  }

  /** `maConn` is no longer in its handshake. */
  private settled (maConn: MultiaddrConnection): void {
    const source = sourceOf(maConn.remoteAddr)
    if (source == null) return
    const handshaking = this.pending.get(source)
    handshaking?.delete(maConn)
    if (handshaking?.size === 0) this.pending.delete(source)
  }

  private denyReservation (peer: PeerId): boolean {
    if (this.relay == null) return false
    const reservations = this.relay.reservations()
    if (reservations.has(peer)) return false
    const sources = new Set(this.relay.connections(peer).map(c => sourceOf(c.remoteAddr)).filter(s => s != null))
    let held = 0
    for (const reservation of reservations.values()) {
      const source = sourceOf(reservation.addr)
      if (source != null && sources.has(source)) held++
    }
    return held >= this.limits.reservations
  }
}
