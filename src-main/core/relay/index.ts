/**
 * A circuit-relay-v2 relay (libp2p circuit-relay-v2 spec) for Ferry peers: it accepts reservations and relays the
 * WebRTC handshake (SDP offer/answer, ICE candidates) between peers. Relayed connections are limited in time and
 * bytes, so file data never flows through it — unless its operator sets `relayData`, for peers that cannot connect
 * directly (docs/CONNECTIVITY.md).
 *
 * Against floods (docs/THREAT-MODEL.md, "The relay"; every limit in ./constants.ts and docs/LIMITS.md): a peer's
 * reservation ends when its last connection to the relay closes (circuit-relay-v2's server keeps it for its whole TTL
 * otherwise); reservations, connections and pending handshakes are limited per source address (./source-limits.ts)
 * as well as in total; a handshake that does not finish in {@link INBOUND_UPGRADE_TIMEOUT_MS} is dropped.
 *
 * @example
 * ```ts
 * const relay = await createRelay({ privateKey, listen: ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws'] })
 * relay.getMultiaddrs() // share one of these with peers (`--relay`)
 * await relay.stop()
 * ```
 */
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import {
  INBOUND_CONNECTIONS_PER_SECOND, INBOUND_UPGRADE_TIMEOUT_MS, MAX_CONNECTIONS_PER_SOURCE, MAX_INBOUND_HOP_STREAMS,
  MAX_PENDING_HANDSHAKES, MAX_PENDING_PER_SOURCE, MAX_RELAY_CONNECTIONS, MAX_RESERVATIONS, MAX_RESERVATIONS_PER_SOURCE,
  RELAYED_DATA_BYTES, RELAYED_DURATION_MS, RESERVATION_TTL_MS
} from './constants.ts'
import { SourceLimits } from './source-limits.ts'

export * from './constants.ts'
export { sourceOf } from './source-limits.ts'
export type { SourceLimitsInit, SourceLimitsRelay } from './source-limits.ts'
export { ContactRelayPolicy } from './contact-relay.ts'
export type { ContactRelayInit, ContactRelayLimits, ContactRelayNode } from './contact-relay.ts'

/** Addresses a relay listens on by default: TCP 4001 and WebSockets 4002 on every interface. */
export const DEFAULT_RELAY_LISTEN = ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws']

/** Options of {@link createRelay}. */
export interface RelayInit {
  privateKey: PrivateKey
  /** Listen multiaddrs (default {@link DEFAULT_RELAY_LISTEN}). */
  listen?: string[]
  /** Multiaddrs to announce instead of the listen addresses, e.g. a public DNS name. */
  announce?: string[]
  /**
   * Grant relayed connections without limits, so that peers that cannot connect directly (UDP blocked, symmetric NATs
   * and no TURN server) send their file bytes through this relay — Ferry takes such a circuit only when WebRTC has not
   * connected within 3 s (docs/CONNECTIVITY.md §1). Costs this relay's bandwidth; off by default.
   */
  relayData?: boolean
}

/** The services a relay runs. */
export interface RelayServices extends Record<string, unknown> {
  relay: CircuitRelayService
}

/** Creates and starts a relay node. Stop it with `relay.stop()`. */
export async function createRelay (init: RelayInit): Promise<Libp2p<RelayServices>> {
  const sources = new SourceLimits({ connections: MAX_CONNECTIONS_PER_SOURCE, pending: MAX_PENDING_PER_SOURCE, reservations: MAX_RESERVATIONS_PER_SOURCE })
  const node = await createLibp2p({
    start: false,
    privateKey: init.privateKey,
    addresses: { listen: init.listen ?? DEFAULT_RELAY_LISTEN, announce: init.announce ?? [] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false, ...sources.gater() },
    connectionManager: {
      maxConnections: MAX_RELAY_CONNECTIONS,
      maxIncomingPendingConnections: MAX_PENDING_HANDSHAKES,
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_SECOND,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS
    },
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({
        maxInboundHopStreams: MAX_INBOUND_HOP_STREAMS,
        reservations: {
          maxReservations: MAX_RESERVATIONS,
          reservationTtl: RESERVATION_TTL_MS,
          applyDefaultLimit: init.relayData !== true,
          defaultDurationLimit: RELAYED_DURATION_MS,
          defaultDataLimit: RELAYED_DATA_BYTES
        }
      })
    }
  })
  sources.attach({ connections: peer => node.getConnections(peer), reservations: () => node.services.relay.reservations })
  node.addEventListener('peer:disconnect', (evt) => forgetDepartedPeer(node, evt.detail))
  await node.start()
  return node
}

/**
 * A peer's last connection to the relay closed: its reservation ends (the relay could only reach it over that
 * connection, so the slot is useless until it reconnects and reserves again) and the relay forgets the peer, so
 * identities that come and go cost no memory. circuit-relay-v2's server would keep the slot until its TTL.
 */
function forgetDepartedPeer (node: Libp2p<RelayServices>, peer: PeerId): void {
  const reservations = node.services.relay.reservations
  const reservation = reservations.get(peer)
  if (reservation != null) {
    reservation.signal.clear()
    reservations.delete(peer)
  }
  node.peerStore.delete(peer).catch(() => {})
}
