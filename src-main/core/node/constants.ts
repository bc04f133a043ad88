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
 * Relayed connections of peers that are not contacts admitted per second, on average (a token bucket refilled at
 * this rate). Relayed connections reach libp2p's per-host threshold ({@link INBOUND_CONNECTION_THRESHOLD}) from the
 * relay's IP address: under a sustained flood strangers keep below it.
 */
export const RELAYED_STRANGERS_PER_SECOND = 2
/**
 * Relayed connections of peers that are not contacts admitted at once when none came for a while (the bucket's
 * size): several honest senders that dial at the same moment all get in (five dialling together failed with a
 * strict 2 per second), and one place of libp2p's per-host threshold stays free for a contact even then.
 */
export const RELAYED_STRANGER_BURST = 4
/**
 * Inbound handshakes of peers not known to be contacts, at once, at most; beyond it the oldest is aborted. The
 * difference to {@link MAX_INCOMING_PENDING_CONNECTIONS} is reserved for contacts' relayed connections and WebRTC.
 */
export const MAX_STRANGER_PENDING = 24
/** Of those, from one source (an IPv4 address, an IPv6 /64, or one relay), at most; beyond it its oldest is aborted. */
export const MAX_PENDING_PER_SOURCE = 4
/**
 * Relayed connections this peer accepts through one relay connection (circuit relay `maxInboundStopStreams`).
 * @alias the same bound as {@link MAX_CONNECTIONS}, named for where it applies
 */
export const MAX_INBOUND_STOP_STREAMS = MAX_CONNECTIONS
/** Peer-store tag on contacts: libp2p's connection pruner closes connections of the highest tag value last. */
export const CONTACT_TAG = 'ferry-contact'
/** Value of {@link CONTACT_TAG} (libp2p tag values run 0–100). */
export const CONTACT_TAG_VALUE = 100
/** Time one dial may take, in ms, including the relay hop, SDP offer/answer and ICE checks. */
export const DIAL_TIMEOUT_MS = 15_000
/**
 * Dial attempts before giving up. A WebRTC handshake through a relay can still fail now and then (ICE or DTLS, e.g. on
 * a busy machine; each is tried again within its attempt, failed-handshake.ts); a whole attempt failing is rarer
 * still (0 failed and 0 retried in each 30-dial connect run of `npm run bench`, docs/PERFORMANCE.md), and three
 * attempts keep a transfer from failing on one.
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
 * at least the last attempt) — when no TURN leg of its own runs beside them (dial.ts: with a TURN server configured,
 * the direct leg never offers TURN). With TURN configured from the start, ICE often nominated the TURN pair before a
 * direct pair's hole punch completed (network lab, docs/CONNECTIVITY.md).
 */
export const DIRECT_ONLY_ATTEMPTS = 2
/**
 * Time one WebRTC dial may take, in ms: libp2p's per-address dial timeout (`addressDialTimeout`, 6 s), which bounds a
 * dial through libp2p's dial queue and which Ferry applies itself to the dials it makes through the transport
 * directly (the TURN leg, dial.ts).
 */
export const WEBRTC_LEG_TIMEOUT_MS = 6_000
/**
 * When the WebRTC leg that offers TURN starts, in ms after the STUN-only leg (which keeps running). In the network
 * lab a direct path connected in 250–450 ms (2 s at most in repeated runs on a loaded machine); with a TURN server in
 * ICE's configuration from the start, ICE often nominated the TURN pair before a direct pair's hole punch completed
 * (docs/CONNECTIVITY.md). The delay is RFC 8305's "Connection Attempt Delay" idea (§5: start the next attempt when the
 * earlier one had a fair chance, keep the earlier one running) with a delay fitted to ICE rather than to TCP (RFC 8305
 * recommends 250 ms, at most 2 s, for TCP handshakes). The TURN leg itself connected in ~1.3 s in the lab.
 */
export const TURN_LEG_DELAY_MS = 1_000
/** Attempts of the TURN leg (each up to {@link WEBRTC_LEG_TIMEOUT_MS}), 250 ms apart. */
export const TURN_LEG_ATTEMPTS = 2
/**
 * When the relayed-data leg (the circuit through a relay that carries data, `ferry relay --relay-data`) starts, in ms
 * after the STUN-only leg: after the TURN leg had its ~1.3 s and a margin, so a peer TURN reaches goes through TURN
 * (whose data path survives the relay going away). Such a circuit connected in 50–100 ms in the lab.
 */
export const RELAYED_DATA_LEG_DELAY_MS = 3_000
/**
 * How long a connection through a server (TURN, or the relayed-data circuit) that won the race waits for a leg still
 * running to bring a direct one, in ms: RFC 8305 §5's recommended Connection Attempt Delay (250 ms).
 */
export const PREFER_DIRECT_GRACE_MS = 250
/** Time to wait for a reservation on the configured relays at start-up, in ms. */
export const RESERVATION_TIMEOUT_MS = 10_000
/** First pause before a relay reservation is tried again, in ms; it doubles after each failed try. */
export const RESERVATION_RETRY_MIN_MS = 1_000
/**
 * Longest pause between two tries of a relay reservation, in ms: a relay that answers again (network back, relay
 * restarted) is reserved on within this time plus one try ({@link RESERVATION_TIMEOUT_MS}), without a restart.
 */
export const RESERVATION_RETRY_MAX_MS = 15_000
/** How often a held reservation is checked for loss (its relay connection closed), in ms. */
export const RESERVATION_CHECK_MS = 1_000
/**
 * Time between two liveness pings of one connection, in ms (liveness.ts). With {@link LIVENESS_PING_TIMEOUT_MS} and
 * {@link LIVENESS_ACTIVITY_WINDOW_MS} a dead peer is noticed 10–20 s after its last sign of life (libp2p's own monitor:
 * 10 s interval + 5 s timeout, 5–15 s).
 */
export const LIVENESS_PING_INTERVAL_MS = 5_000
/**
 * Time one liveness ping may take, stream open included, in ms; an idle connection answers in a few round trips
 * (< 1 s at 150 ms RTT). A busy connection's ping may take longer: it then counts as alive when the peer sent
 * anything meanwhile (liveness.ts).
 */
export const LIVENESS_PING_TIMEOUT_MS = 5_000
/**
 * A failed liveness ping is forgiven when the peer showed it is alive on the connection (sent bytes, or acknowledged
 * ours) within this many ms before the failure (liveness.ts). On a slow path a sender hears from its receiver only
 * with each ack (every 1 MiB block: every 10 s at 0.1 MiB/s) and its send buffer drains rarely; the window keeps
 * such a connection while a dead peer is still noticed by the next failing ping.
 */
export const LIVENESS_ACTIVITY_WINDOW_MS = 10_000
/**
 * libdatachannel's SCTP settings for every WebRTC connection (sctp.ts; measured in docs/PERFORMANCE.md, "SCTP
 * settings on long paths"). An SCTP association moves at most its receive window per round trip: libdatachannel's
 * default 1 MiB window caps a DataChannel at ~0.8 MiB ÷ RTT (~7 MiB/s at 120 ms), and in practice it stalled far
 * below. 4 MiB buffers (window ÷ RTT ≈ 33 MiB/s at 120 ms) were faster at 60 and 120 ms and as fast on loopback; 8 MiB
 * (with `maxChunksOnQueue` 65,536) overflowed the receiver's UDP socket buffer (libjuice asks the kernel for a fixed
 * 1 MiB) in bursts and was slower here; 16 MiB was slower on loopback. Both ends run Ferry; a peer with smaller
 * buffers simply advertises its smaller window.
 * - `recvBufferSize` / `sendBufferSize`, bytes: the SCTP socket buffers, i.e. the receive window and what may be in
 *   flight unacknowledged.
 */
export const SCTP_SETTINGS = {
  recvBufferSize: 4 * 1024 * 1024,
  sendBufferSize: 4 * 1024 * 1024
} as const
