/**
 * The relay a Ferry peer runs for its contacts only (docs/CONNECTIVITY.md §9, "Contacts and your own devices as
 * relays"): a circuit-relay-v2 server (libp2p circuit-relay-v2 spec) behind a connection gater that lets only contacts
 * reserve and relays a connection only when both ends are contacts of this peer. So two friends behind symmetric NATs who share a
 * reachable contact reach each other through it — the WebRTC handshake, and the Noise-encrypted file bytes when WebRTC
 * fails — while a stranger cannot use it at all.
 */
import { RELAY_V2_HOP_CODEC, RELAY_V2_STOP_CODEC } from '@libp2p/circuit-relay-v2'
import type { CircuitRelayServerInit, CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Connection, ConnectionGater, PeerId } from '@libp2p/interface'
import {
  MAX_CIRCUITS_PER_CONTACT, MAX_CONTACT_HOP_STREAMS, MAX_CONTACT_RESERVATIONS, RELAYED_DATA_BYTES, RELAYED_DURATION_MS,
  RESERVATION_TTL_MS
} from './constants.ts'

/** Options of {@link ContactRelayPolicy}. */
export interface ContactRelayInit {
  /**
   * Whether a peer is a contact and not blocked — read at every reservation and every relayed connection, so a new
   * contact or a block applies at once, without a restart. Keep it fast (a prepared SQLite lookup is).
   */
  isContact: (peerId: string) => boolean
  /**
   * Whether relayed connections between contacts carry file bytes (no data or time limit, like `ferry relay
   * --relay-data`): Ferry then uses them only when WebRTC has not connected within 3 s (`dialDirect`). When false, a
   * circuit is limited to {@link RELAYED_DATA_BYTES} and {@link RELAYED_DURATION_MS} — the WebRTC handshake only.
   * Default true.
   */
  relayData?: boolean
  /** Limits (defaults: ./constants.ts; tests shorten them). */
  limits?: Partial<ContactRelayLimits>
}

/** The limits {@link ContactRelayPolicy} enforces (docs/LIMITS.md). */
export interface ContactRelayLimits {
  /** Reservations held at once, in total ({@link MAX_CONTACT_RESERVATIONS}). */
  reservations: number
  /** Relayed connections at once with one contact at either end ({@link MAX_CIRCUITS_PER_CONTACT}). */
  circuitsPerContact: number
}

/** What {@link ContactRelayPolicy} reads from the running node, once it exists. */
export interface ContactRelayNode {
  /** The node's connections to `peer`. */
  getConnections: (peer?: PeerId) => Connection[]
  /** The relay service (`services.relay`). */
  relay: () => CircuitRelayService
}

/**
 * The gate of the contacts-only relay, as libp2p connection-gater hooks (`@libp2p/interface`, `ConnectionGater`; called
 * by `@libp2p/circuit-relay-v2`'s server, `server/index.js`):
 * - `denyInboundRelayReservation(source)` — the relay answers `PERMISSION_DENIED` to a RESERVE from a peer that is not a
 *   contact, before the reservation store is touched: a stranger's reservation costs this peer nothing but the answer.
 * - `denyOutboundRelayedConnection(source, destination)` — runs when a peer asks to be connected (CONNECT) to a peer
 *   holding a reservation here; refused (`PERMISSION_DENIED`) unless both are contacts, and while either already has
 *   {@link ContactRelayLimits.circuitsPerContact} relayed connections through this peer (counted as the HOP and STOP
 *   streams open on its connections: each relayed connection keeps one open for its whole life).
 *
 * A contact's reservation ends when its last connection to this peer closes ({@link attach}).
 */
export class ContactRelayPolicy {
  private readonly isContact: (peerId: string) => boolean
  readonly relayData: boolean
  readonly limits: ContactRelayLimits
  private node: ContactRelayNode | undefined

  constructor (init: ContactRelayInit) {
    this.isContact = init.isContact
    this.relayData = init.relayData ?? true
    this.limits = { reservations: MAX_CONTACT_RESERVATIONS, circuitsPerContact: MAX_CIRCUITS_PER_CONTACT, ...init.limits }
  }

  /** The circuit-relay-v2 server's options for this policy (pass to `circuitRelayServer`). */
  serverInit (): CircuitRelayServerInit {
    return {
      maxInboundHopStreams: MAX_CONTACT_HOP_STREAMS,
      reservations: {
        maxReservations: this.limits.reservations,
        reservationTtl: RESERVATION_TTL_MS,
        applyDefaultLimit: !this.relayData,
        defaultDurationLimit: RELAYED_DURATION_MS,
        defaultDataLimit: RELAYED_DATA_BYTES
      }
    }
  }

  /** The connection-gater hooks (combine with others: every hook only denies). */
  gater (): Pick<ConnectionGater, 'denyInboundRelayReservation' | 'denyOutboundRelayedConnection'> {
    return {
      denyInboundRelayReservation: (source) => !this.isContact(source.toString()),
      denyOutboundRelayedConnection: (source, destination) => this.denyCircuit(source, destination)
    }
  }

  /** Connects the policy to the node it guards; ends a contact's reservation when its last connection closes. */
  attach (node: ContactRelayNode & { addEventListener: (type: 'peer:disconnect', fn: (evt: CustomEvent<PeerId>) => void) => void }): void {
    this.node = node
    node.addEventListener('peer:disconnect', (evt) => {
      const reservations = node.relay().reservations
      const reservation = reservations.get(evt.detail)
      if (reservation == null) return
      reservation.signal.clear()
      reservations.delete(evt.detail)
    })
  }

  /** Relayed connections through this peer with `peer` at either end now. */
  circuitsOf (peer: PeerId): number {
    if (this.node == null) return 0
    let circuits = 0
    for (const conn of this.node.getConnections(peer)) {
      for (const stream of conn.streams) {
        if (stream.protocol === RELAY_V2_HOP_CODEC || stream.protocol === RELAY_V2_STOP_CODEC) circuits++
      }
    }
    return circuits
  }

  private denyCircuit (source: PeerId, destination: PeerId): boolean {
    if (!this.isContact(source.toString()) || !this.isContact(destination.toString())) return true
    // The source's own HOP stream asking for this circuit is open now: it counts as one of its circuits.
    return this.circuitsOf(source) > this.limits.circuitsPerContact || this.circuitsOf(destination) >= this.limits.circuitsPerContact
  }
}
