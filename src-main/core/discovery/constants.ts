/** Values of LAN discovery; each is chosen here on purpose, with its reason. */

/**
 * The DNS-SD service Ferry peers announce and ask for over mDNS. A Ferry-specific tag (instead of libp2p's default
 * `_p2p._udp.local`) means only Ferry peers answer, not every libp2p node on the LAN (IPFS, …). Source: libp2p mDNS
 * spec (discovery/mdns.md), which lets applications pick their service name.
 */
export const MDNS_SERVICE_TAG = '_ferry._udp.local'

/**
 * Interval between two mDNS queries, in ms. A query is also sent at start, so a newly started peer finds its
 * neighbours at once; the interval only bounds how late a peer that appeared later is seen. @libp2p/mdns defaults to
 * 10 s; Ferry uses 5 s because `ferry discover` and the desktop's "nearby" list should follow the LAN closely, and a
 * query is one small multicast packet.
 */
export const MDNS_INTERVAL_MS = 5_000

/**
 * A peer not heard of over mDNS for this long is no longer listed as nearby, in ms: three missed query intervals
 * (one lost multicast packet must not make a neighbour flicker).
 */
export const LAN_PEER_TTL_MS = 3 * MDNS_INTERVAL_MS
