/**
 * The result of the `checkNetwork` call (`ferry doctor` prints the same): what the network lets Ferry do, measured,
 * and in words for people. Times are ms; addresses are `ip:port` text. docs/CONNECTIVITY.md, "Network check".
 */

/** One configured relay as the check saw it. */
export interface RelayCheckView {
  /** The relay's multiaddr as configured. */
  relay: string
  /** Its dial succeeded (whether or not it granted the reservation). */
  answered: boolean
  reservation: 'granted' | 'refused' | 'failed'
  /** `offline` (no route), `dns-failed`, `unreachable`, `refused`, `timeout`. */
  problem?: string
  /** The relay's reason for a refusal. */
  reason?: string
  /** Dial and reservation together, ms. */
  reserveMs?: number
  /** Round trip of a libp2p ping, ms. */
  pingMs?: number
}

/** One STUN server's answer. */
export interface StunCheckView {
  /** The ICE server URL, without credentials. */
  server: string
  ip?: string
  /** The address this host had as the server saw it. */
  mapped?: string
  rttMs?: number
  /** `dns-failed`, `no-answer`, `unreachable`, `bad-answer`, `not-ipv4`. */
  problem?: string
}

/** The NAT's mapping behaviour (RFC 4787 §4.1), from two STUN servers on two IPs (RFC 5780 §4.3). */
export type NatMappingView = 'no-nat' | 'endpoint-independent' | 'endpoint-dependent' | 'unknown'

/** What the network means for reaching people (the headline's code). */
export type ReachView = 'public' | 'direct' | 'direct-likely' | 'symmetric' | 'udp-blocked' | 'offline' | 'unknown'

/** The network check's result. */
export interface NetworkCheckView {
  checkedAt: number
  durationMs: number
  relays: RelayCheckView[]
  /** The local UDP socket the STUN requests left from. */
  stunLocal?: string
  stun: StunCheckView[]
  udp: 'works' | 'blocked' | 'not-checked'
  mapping: NatMappingView
  publicAddress?: string
  /**
   * The running peer's router port mapping (UPnP-IGD, or NAT-PMP when no IGD answers); `externalAddress` is
   * `<ip>:<port>` and `protocol` the one the router mapped with, once mapped.
   */
  upnp: { status: 'not-enabled' | 'searching' | 'mapped' | 'no-gateway' | 'failed', externalAddress?: string, protocol?: 'upnp' | 'nat-pmp' }
  reach: ReachView
  /** What it means for reaching people, in one sentence. */
  headline: string
  /** One line per finding (relays, UDP, NAT, UPnP), for people. */
  details: string[]
}
