import { EventEmitter } from 'node:events'
import { mdns } from '@libp2p/mdns'
import type { MulticastDNSComponents } from '@libp2p/mdns'
import type { PeerDiscovery, PeerInfo } from '@libp2p/interface'
import { AbortedError } from '../errors/index.ts'
import { LAN_PEER_TTL_MS, MDNS_INTERVAL_MS, MDNS_SERVICE_TAG } from './constants.ts'

/** A peer found on the LAN: its peer ID, the multiaddrs it announced (without `/p2p/…`) and when it was last heard. */
export interface LanPeer {
  peerId: string
  addrs: string[]
  /** ms since the epoch. */
  lastSeenAt: number
}

/** Options of {@link LanDiscovery}. */
export interface LanDiscoveryInit {
  /** Interval between mDNS queries, in ms (default {@link MDNS_INTERVAL_MS}). */
  intervalMs?: number
  /** How long a peer stays listed after it was last heard, in ms (default {@link LAN_PEER_TTL_MS}). */
  ttlMs?: number
  /** DNS-SD service tag (default {@link MDNS_SERVICE_TAG}). */
  serviceTag?: string
}

/** The libp2p peer-discovery factory type (`peerDiscovery` entries of `createLibp2p`). */
export type PeerDiscoveryFactory = (components: MulticastDNSComponents) => PeerDiscovery

/**
 * mDNS discovery of Ferry peers on the LAN, and the list of peers it found. Pass {@link factory} to the libp2p node
 * (`createNode({ peerDiscovery: [lan.factory()] })`); every answer updates {@link peers} and emits `peer`.
 * Discovered addresses also reach libp2p's peer store (libp2p does not dial them by itself).
 *
 * What mDNS gives is unauthenticated — anyone on the LAN can announce any peer ID with any address. That is safe to
 * use for dialling only because every connection's Noise handshake proves the remote peer ID: a spoofed answer yields
 * a failed dial, never a connection to the wrong peer.
 */
export class LanDiscovery extends EventEmitter<{ peer: [LanPeer] }> {
  private readonly init: LanDiscoveryInit
  private readonly found = new Map<string, LanPeer>()

  constructor (init: LanDiscoveryInit = {}) {
    super()
    this.init = init
  }

  /** The libp2p `peerDiscovery` entry that runs mDNS and feeds this list. */
  factory (): PeerDiscoveryFactory {
    const create = mdns({ interval: this.init.intervalMs ?? MDNS_INTERVAL_MS, serviceTag: this.init.serviceTag ?? MDNS_SERVICE_TAG })
    return (components) => {
      const discovery = create(components)
      discovery.addEventListener('peer', (evt) => this.record(evt.detail))
      return discovery
    }
  }

  private record (info: PeerInfo): void {
    const peer: LanPeer = { peerId: info.id.toString(), addrs: info.multiaddrs.map(String), lastSeenAt: Date.now() }
    this.found.set(peer.peerId, peer)
    this.emit('peer', peer)
  }

  /** Peers heard within the TTL, most recently heard first. */
  peers (): LanPeer[] {
    const since = Date.now() - (this.init.ttlMs ?? LAN_PEER_TTL_MS)
    return [...this.found.values()].filter(p => p.lastSeenAt >= since).sort((a, b) => b.lastSeenAt - a.lastSeenAt)
  }

  /** The peer if it was heard within the TTL. */
  get (peerId: string): LanPeer | undefined {
    return this.peers().find(p => p.peerId === peerId)
  }

  /**
   * Waits until `peerId` is heard on the LAN, at most `timeoutMs` (ms). Resolves `undefined` on timeout.
   * @throws {AbortedError} when `signal` aborts
   */
  async waitFor (peerId: string, options: { timeoutMs: number, signal?: AbortSignal }): Promise<LanPeer | undefined> {
    const known = this.get(peerId)
    if (known != null) return known
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer)
        this.off('peer', onPeer)
        options.signal?.removeEventListener('abort', onAbort)
      }
      const onPeer = (p: LanPeer): void => { if (p.peerId === peerId) { done(); resolve(p) } }
      const onAbort = (): void => { done(); reject(new AbortedError('Looking for the peer on the LAN was cancelled')) }
      const timer = setTimeout(() => { done(); resolve(undefined) }, options.timeoutMs)
      this.on('peer', onPeer)
      options.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
