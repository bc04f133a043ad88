/**
 * A circuit-relay-v2 relay (libp2p circuit-relay-v2 spec) for Ferry peers: it accepts reservations and relays the
 * WebRTC handshake (SDP offer/answer, ICE candidates) between peers. Relayed connections are limited in time and
 * bytes, so file data never flows through it — unless its operator sets `relayData`, for peers that cannot connect
 * directly (docs/CONNECTIVITY.md).
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
import type { Libp2p, PrivateKey } from '@libp2p/interface'

/** Addresses a relay listens on by default: TCP 4001 and WebSockets 4002 on every interface. */
export const DEFAULT_RELAY_LISTEN = ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws']

/**
 * Reservation limits for a small public relay. A reservation costs the relay one slot for `RESERVATION_TTL_MS`; a
 * relayed connection may live `RELAYED_DURATION_MS` and carry `RELAYED_DATA_BYTES`, plenty for an SDP/ICE exchange
 * (a few KiB) and useless for file bytes. Values follow circuit-relay-v2's defaults except the reservation count.
 */
export const MAX_RESERVATIONS = 256
export const RESERVATION_TTL_MS = 2 * 60 * 60_000
export const RELAYED_DURATION_MS = 2 * 60_000
export const RELAYED_DATA_BYTES = 128n * 1024n
/** Relayed connections being set up at once (HOP streams), at most. */
export const MAX_INBOUND_HOP_STREAMS = 64
/** Connections at once, at most: every reserved peer holds one, plus dialers. */
export const MAX_RELAY_CONNECTIONS = 1024

/** Options of {@link createRelay}. */
export interface RelayInit {
  privateKey: PrivateKey
  /** Listen multiaddrs (default {@link DEFAULT_RELAY_LISTEN}). */
  listen?: string[]
  /** Multiaddrs to announce instead of the listen addresses, e.g. a public DNS name. */
  announce?: string[]
  /**
   * Grant relayed connections without limits, so that peers that cannot connect directly (UDP blocked, symmetric NATs
   * and no TURN server) send their file bytes through this relay — Ferry falls back to that only after its direct
   * attempts failed (docs/CONNECTIVITY.md). Costs this relay's bandwidth; off by default.
   */
  relayData?: boolean
}

/** Creates and starts a relay node. Stop it with `relay.stop()`. */
export async function createRelay (init: RelayInit): Promise<Libp2p> {
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.listen ?? DEFAULT_RELAY_LISTEN, announce: init.announce ?? [] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: MAX_RELAY_CONNECTIONS, maxIncomingPendingConnections: 64, inboundConnectionThreshold: 20 },
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
}
