/**
 * The limits of a `ferry relay`, per source address and in total (docs/LIMITS.md lists each with its test). A
 * "source" is the remote IPv4 address of a connection, or the /64 prefix of an IPv6 one (one host or household is
 * usually given a whole /64, so counting single IPv6 addresses would limit nothing).
 */

/**
 * Reservations held at once, in total. A reservation costs the relay one slot until it expires or its peer
 * disconnects (a departed peer's slot is freed at once: the relay can reach a peer only over its open connection).
 */
export const MAX_RESERVATIONS = 256
/**
 * Reservations held at once from one source. 16 peers behind one NAT (an office, a household) still reserve; one host
 * flooding the relay takes at most 1/16 of its slots.
 */
export const MAX_RESERVATIONS_PER_SOURCE = 16
/** A reservation's lifetime, ms (circuit-relay-v2's default); a connected peer refreshes it before it ends. */
export const RESERVATION_TTL_MS = 2 * 60 * 60_000
/** How long a relayed connection may live, ms: plenty for an SDP/ICE exchange, useless for file bytes. */
export const RELAYED_DURATION_MS = 2 * 60_000
/** How many bytes a relayed connection may carry: an SDP/ICE exchange is a few KiB. */
export const RELAYED_DATA_BYTES = 128n * 1024n
/** Relayed connections being set up at once (HOP streams), at most. */
export const MAX_INBOUND_HOP_STREAMS = 64
/** Connections at once, at most: every reserved peer holds one, plus dialers. */
export const MAX_RELAY_CONNECTIONS = 1024
/**
 * Connections at once from one source, counting those still in their handshake: twice
 * {@link MAX_RESERVATIONS_PER_SOURCE}, so every reserved peer behind one address can also dial a peer through the relay.
 */
export const MAX_CONNECTIONS_PER_SOURCE = 2 * MAX_RESERVATIONS_PER_SOURCE
/** Connections in their handshake (TCP or WebSocket accepted, Noise and Yamux not yet done) at once, in total. */
export const MAX_PENDING_HANDSHAKES = 256
/**
 * Connections in their handshake at once from one source: a peer opens one connection at a time, so 8 covers a
 * busy NAT, and 32 sources are needed to fill {@link MAX_PENDING_HANDSHAKES}.
 */
export const MAX_PENDING_PER_SOURCE = 8
/**
 * How long an inbound handshake may take, ms, before the relay closes the connection (libp2p's default is 10 s). The
 * handshake is about five round trips (multistream-select, Noise XX, Yamux): under 1 s even over a 150 ms path.
 */
export const INBOUND_UPGRADE_TIMEOUT_MS = 5_000
/** New inbound connections per second from one host (libp2p's `inboundConnectionThreshold`). */
export const INBOUND_CONNECTIONS_PER_SECOND = 20

/*
 * The limits of the relay every reachable Ferry peer runs for its contacts (./contact-relay.ts; docs/CONNECTIVITY.md
 * §9, "Contacts and your own devices as relays"). Only contacts ever get past its gate, so these bound what a
 * contact — or a contact's stolen key — can spend of a friend's machine.
 */

/**
 * Reservations a peer holds for its contacts at once, in total. One per contact (the reservation store is keyed by peer
 * ID); 64 covers a person's devices and friends, and a slot costs a few hundred bytes.
 */
export const MAX_CONTACT_RESERVATIONS = 64
/**
 * Relayed connections at once with one contact at either end. A transfer needs one for its bytes when WebRTC failed,
 * but each WebRTC attempt before it opens one for its handshake, which may linger until the attempt is given up (three
 * attempts, each retrying a failed handshake within it): eight covers a send that falls back to the circuit and a
 * second one running.
 */
export const MAX_CIRCUITS_PER_CONTACT = 8
/** Relayed connections being set up at once (HOP streams) per connection: a contact opens one per dial. */
export const MAX_CONTACT_HOP_STREAMS = 8
