/** Limits and timeouts of the libp2p node; each value is chosen here on purpose, not left to a library default. */

/**
 * Connections open at once, at most (libp2p `maxConnections`; js-libp2p doc/LIMITS.md): beyond it libp2p refuses every
 * inbound connection. A desktop peer talks to few peers at a time. Strangers may hold only
 * {@link MAX_STRANGER_CONNECTIONS} of them (admission.ts), so the rest stay free for contacts, transfers and own dials.
 */
export const MAX_CONNECTIONS = 100
/**
 * Inbound connections still in their handshake, at most (libp2p `maxIncomingPendingConnections`); more are refused.
 * Strangers may take only {@link MAX_STRANGER_PENDING} of them (admission.ts): the rest are for contacts' relayed
 * connections and WebRTC upgrades.
 */
export const MAX_INCOMING_PENDING_CONNECTIONS = 32
/** Inbound connection attempts accepted per second from one host (libp2p `inboundConnectionThreshold`). */
export const INBOUND_CONNECTION_THRESHOLD = 5
/**
 * Time an inbound connection may take to upgrade (multistream-select, Noise, Yamux), in ms (libp2p
 * `inboundUpgradeTimeout`, default 10 s). About 4 round trips: a relayed handshake over a 1 s round trip still fits;
 * a socket that says nothing frees its handshake slot after this long at the latest.
 */
export const INBOUND_UPGRADE_TIMEOUT_MS = 5_000
/** Open connections of peers that are not contacts, at most; beyond it their oldest idle ones are closed. */
export const MAX_STRANGER_CONNECTIONS = 64
/** Open relayed connections (circuit relay) of peers that are not contacts, at most (part of the 64 above). */
export const MAX_RELAYED_STRANGER_CONNECTIONS = 16
/**
 * Relayed connections of peers that are not contacts admitted per second, at most. Relayed connections reach libp2p's
 * per-host threshold ({@link INBOUND_CONNECTION_THRESHOLD}) from the relay's IP address: strangers keep below it.
 */
export const RELAYED_STRANGERS_PER_SECOND = 2
/**
 * Inbound handshakes of peers not known to be contacts, at once, at most; beyond it the oldest is aborted. The
 * difference to {@link MAX_INCOMING_PENDING_CONNECTIONS} is reserved for contacts' relayed connections and WebRTC.
 */
export const MAX_STRANGER_PENDING = 24
/** Of those, from one source (an IPv4 address, an IPv6 /64, or one relay), at most; beyond it its oldest is aborted. */
export const MAX_PENDING_PER_SOURCE = 4
/** Relayed connections this peer accepts through one relay connection (circuit relay `maxInboundStopStreams`). */
export const MAX_INBOUND_STOP_STREAMS = MAX_CONNECTIONS
/** Peer-store tag on contacts: libp2p's connection pruner closes connections of the highest tag value last. */
export const CONTACT_TAG = 'ferry-contact'
/** Value of {@link CONTACT_TAG} (libp2p tag values run 0–100). */
export const CONTACT_TAG_VALUE = 100
/** Time one dial may take, in ms, including the relay hop, SDP offer/answer and ICE checks. */
export const DIAL_TIMEOUT_MS = 15_000
/**
 * Dial attempts before giving up. About 8 % of WebRTC dials through a relay fail during the ICE candidate exchange on
 * loopback (design brief §1); three attempts make a failed transfer from that cause rare (~0.05 %).
 */
export const DIAL_ATTEMPTS = 3
/** Pause between dial attempts, in ms. */
export const DIAL_RETRY_DELAY_MS = 250
/**
 * How long one dial attempt keeps trying again when its WebRTC handshake fails at once, in ms: libp2p's per-address
 * dial timeout (`addressDialTimeout`, 6 s), which every attempt ran into before a failed handshake ended it early
 * (failed-handshake.ts, `dialDirect`).
 */
export const HANDSHAKE_RETRY_WINDOW_MS = 6_000
/**
 * WebRTC attempts made with STUN servers only, before the remaining attempts also offer TURN servers to ICE (always
 * at least the last attempt). With TURN configured from the start, ICE often nominated the TURN pair before a direct
 * pair's hole punch completed (network lab, docs/CONNECTIVITY.md). Each failed attempt costs libp2p's per-address dial
 * timeout (6 s, `addressDialTimeout`, which binds before {@link DIAL_TIMEOUT_MS}), so a peer that needs TURN connects
 * after ~12 s.
 */
export const DIRECT_ONLY_ATTEMPTS = 2
/** Time to wait for a reservation on the configured relays at start-up, in ms. */
export const RESERVATION_TIMEOUT_MS = 10_000
