/** Limits and timings of contacts, invites, presence and the trust policy, each with the reason for its value. */

/** Scheme of a Ferry invite: `ferry:<peer ID>?name=…&relay=…`. */
export const INVITE_SCHEME = 'ferry:'
/** Longest invite text accepted, in characters: a QR code (version 25, level M) holds ~1 800 bytes; room to spare. */
export const MAX_INVITE_LENGTH = 2048
/** Relay multiaddrs an invite carries, at most (the app reserves on a handful; more only lengthen the QR code). */
export const MAX_INVITE_RELAYS = 4
/** Longest relay multiaddr in an invite, in characters (a DNS name, a port and a peer ID fit well within). */
export const MAX_RELAY_ADDR_LENGTH = 256
/** Longest display name in an invite or for a contact, in characters (a name on one line of a list). */
export const MAX_NAME_LENGTH = 64

/**
 * Fingerprint shape: {@link FINGERPRINT_GROUPS} groups of four decimal digits, each from 4 bytes of the SHA-256
 * (mod 10 000) — ~66 bits. Someone substituting their own invite would have to generate keys until the pair's
 * fingerprint matched the real one: ~2^66 Ed25519 key generations, out of reach; five short groups stay easy to
 * read aloud (Signal's safety numbers are the model, shortened because each side also sees the other's peer ID).
 */
export const FINGERPRINT_GROUPS = 5
/** Domain separation for the fingerprint hash, versioned so a later scheme cannot collide with this one. */
export const FINGERPRINT_DOMAIN = 'ferry-fingerprint-v1'

/**
 * Presence: how often each contact is checked (a libp2p ping over an open connection, else a dial of its last known
 * direct addresses and its relays), in ms. 15 s keeps a list of contacts fresh at the cost of one small ping per
 * contact per interval.
 */
export const PRESENCE_INTERVAL_MS = 15_000
/**
 * Consecutive failed checks before an online contact is shown offline: 2, so one lost ping (a WebRTC or Wi-Fi hiccup)
 * does not make it flicker. Going offline thus takes at most `PRESENCE_MISSES × interval + timeout` after the peer
 * stopped; going online at most one interval plus a dial (or at once, when the peer connects to us).
 */
export const PRESENCE_MISSES = 2
/** Time one presence check may take, in ms (dial + ping), capped at the interval. */
export const PRESENCE_CHECK_TIMEOUT_MS = 5_000
/** Last known direct (non-relay) addresses kept per contact when it is seen; relay addresses are always kept. */
export const MAX_DIRECT_ADDRS = 8

/**
 * Offers from one peer that is not a contact, at most, per {@link UNKNOWN_OFFER_WINDOW_MS}; more are answered `busy`
 * without anyone being asked. Three lets a stranger retry a declined or failed offer, not bury the person in prompts.
 */
export const UNKNOWN_OFFERS_PER_PEER = 3
/**
 * Offers from all peers that are not contacts, at most, per window: new peer IDs cost nothing to make, so a per-peer
 * bound alone does not stop a flood from many identities.
 */
export const UNKNOWN_OFFERS_TOTAL = 20
/** The sliding window of the two limits above, in ms. */
export const UNKNOWN_OFFER_WINDOW_MS = 60_000

/** How long `send --to <contact>` listens for the contact on the LAN (mDNS) before using its relays, in ms. */
export const LAN_LOOKUP_MS = 2_000
/** Time to connect to a LAN or last known direct address before moving on to the relay, in ms. */
export const DIRECT_DIAL_TIMEOUT_MS = 3_000

/** Contacts that relay for this peer it keeps a reservation on, at most (the first ones stored, by name). */
export const MAX_CONTACT_RELAYS_USED = 4
/**
 * How long `send --to <contact>` waits for a contact relay to connect it to the contact (a relayed connection: the
 * relay answers at once when the contact holds no reservation there), in ms, before it uses other relays.
 */
export const CONTACT_RELAY_PROBE_MS = 5_000
