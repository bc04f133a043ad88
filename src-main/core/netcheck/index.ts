/**
 * The network check (`ferry doctor`, "Check network" in Settings): what this host's network lets Ferry do, measured —
 * never guessed from settings. It asks, at once:
 *
 * - each configured **relay**: a libp2p dial, a circuit-relay-v2 reservation and a ping (./relays.ts), from a
 *   temporary node with a fresh key;
 * - each configured **STUN server** (the `stun:` and UDP `turn:` ICE servers): a Binding request (RFC 5389) from one
 *   local UDP socket (./stun-client.ts, ./stun-codec.ts) — an answer means **UDP gets out**;
 * - the NAT's **mapping behaviour**, by comparing the addresses two servers on two IPs saw (RFC 5780 §4.3;
 *   ./mapping.ts);
 * - **UPnP**: the running peer's router port mapping as the caller passes it (`NetworkCheckInit.upnp`; the check
 *   itself maps nothing): `not-enabled` without one;
 *
 * and sums it up as one {@link Reach} code (the app layer has the words for people). The core reads no environment:
 * the servers are arguments. Nothing is stored. docs/CONNECTIVITY.md "Network check" describes it.
 *
 * @example
 * ```ts
 * const report = await checkNetwork({ relays: ['/ip4/203.0.113.1/tcp/4001/p2p/12D3…'], iceServers: ['stun:203.0.113.1:3478', 'stun:203.0.113.2:3478'] }, { signal })
 * report.udp      // 'works'
 * report.mapping  // 'endpoint-dependent'
 * report.reach    // 'symmetric'
 * ```
 */
import { networkInterfaces } from 'node:os'
import { classifyMapping } from './mapping.ts'
import type { NatMapping } from './mapping.ts'
import { checkRelays } from './relays.ts'
import type { RelayCheck } from './relays.ts'
import { queryStunServers, stunServersOf } from './stun-client.ts'
import type { StunProblem } from './stun-client.ts'

export { classifyMapping } from './mapping.ts'
export type { NatMapping } from './mapping.ts'
export type { RelayCheck } from './relays.ts'
export { queryStunServers, stunServersOf } from './stun-client.ts'
export type { StunAnswer, StunProblem, StunQueryOptions, StunQueryResult, StunServer } from './stun-client.ts'
export { decodeBindingResponse, encodeBindingRequest, encodeBindingSuccess, newTransactionId, StunDecodeError } from './stun-codec.ts'
export type { BindingResponse, MappedAddress } from './stun-codec.ts'

/** One STUN server's answer in the report. */
export interface StunCheck {
  /** The ICE server URL, without credentials. */
  server: string
  /** The IPv4 address asked. */
  ip?: string
  /** The address and port the server saw (`203.0.113.11:40670`). */
  mapped?: string
  /** Round trip of the Binding request, ms. */
  rttMs?: number
  problem?: StunProblem
}

/**
 * Whether the running peer's router port mapping (UPnP-IGD or NAT-PMP, `node/port-mapping.ts`) is in place:
 * `not-enabled` (off, or no running peer, as in `ferry doctor`), `searching`, `mapped` (with the external address,
 * `<ip>:<port>`, and the `protocol` the router spoke), `no-gateway` (no router answered) or `failed` (one answered but
 * mapped no port).
 */
export interface UpnpCheck {
  status: 'not-enabled' | 'searching' | 'mapped' | 'no-gateway' | 'failed'
  externalAddress?: string
  protocol?: 'upnp' | 'nat-pmp'
}

/**
 * What the network means for reaching people:
 * - `public`: no NAT (this host's own address answered): direct connections work, others can reach it directly;
 * - `direct`: UDP gets out and the NAT maps endpoint-independently: direct WebRTC works with most people;
 * - `direct-likely`: UDP gets out, the mapping could not be told (one STUN server, or servers on one IP);
 * - `symmetric`: endpoint-dependent mapping: people behind another such NAT (or with UDP blocked) are reached through
 *   TURN or a relay only;
 * - `udp-blocked`: no STUN server answered but a relay did: only TCP through relays works (and the LAN);
 * - `offline`: nothing configured answered: only nearby devices (LAN);
 * - `unknown`: no STUN server configured, and no relay answered or none is configured.
 */
export type Reach = 'public' | 'direct' | 'direct-likely' | 'symmetric' | 'udp-blocked' | 'offline' | 'unknown'

/** The network check's result (plain JSON). */
export interface NetworkReport {
  /** When the check started, ms since the epoch, and how long it took, ms. */
  checkedAt: number
  durationMs: number
  relays: RelayCheck[]
  /** The local UDP socket the STUN requests left from (absent when no STUN server is configured). */
  stunLocal?: string
  stun: StunCheck[]
  /** `works`: a STUN server answered; `blocked`: none did; `not-checked`: none is configured. */
  udp: 'works' | 'blocked' | 'not-checked'
  mapping: NatMapping
  /** The address the first answering STUN server saw (`ip:port`). */
  publicAddress?: string
  upnp: UpnpCheck
  reach: Reach
}

/** What to check. */
export interface NetworkCheckInit {
  /** Relay multiaddrs (each ending in `/p2p/<relay peer ID>`). */
  relays: readonly string[]
  /** ICE server URLs (`config.parseIceServers` syntax); the STUN servers among them are asked. */
  iceServers: readonly string[]
  /** Longest wait for each STUN server, ms (default `STUN_TIMEOUT_MS`). */
  stunTimeoutMs?: number
  /** Longest wait for each relay, ms (default `RELAY_CHECK_TIMEOUT_MS`). */
  relayTimeoutMs?: number
  /** This host's interface addresses (default: every IPv4 and IPv6 address of `os.networkInterfaces()`). */
  localAddresses?: readonly string[]
  /** The running peer's port mapping, reported as is (default `not-enabled`). */
  upnp?: UpnpCheck
}

/**
 * Runs the network check (see the module comment). Takes at most the longer of the two timeouts (STUN 3 s, relays
 * 15 s by default) plus a node's start and stop.
 *
 * @throws {AbortedError} when `signal` aborts (nothing is left running); the socket's error when no UDP socket can be bound
 */
export async function checkNetwork (init: NetworkCheckInit, options: { signal?: AbortSignal } = {}): Promise<NetworkReport> {
  const { signal } = options
  const checkedAt = Date.now()
  const started = performance.now()
  const servers = stunServersOf(init.iceServers)
  const [relays, stunResult] = await Promise.all([
    checkRelays(init.relays, { timeoutMs: init.relayTimeoutMs, signal }),
    servers.length === 0 ? undefined : queryStunServers(servers, { timeoutMs: init.stunTimeoutMs, signal })
  ])
  const answers = stunResult?.answers ?? []
  const stun: StunCheck[] = answers.map(a => ({
    server: a.server.url,
    ...(a.ip == null ? {} : { ip: a.ip }),
    ...(a.mapped == null ? {} : { mapped: `${a.mapped.address}:${a.mapped.port}` }),
    ...(a.rttMs == null ? {} : { rttMs: a.rttMs }),
    ...(a.problem == null ? {} : { problem: a.problem })
  }))
  const udp = stunResult == null ? 'not-checked' : answers.some(a => a.mapped != null) ? 'works' : 'blocked'
  const mapping = stunResult == null ? 'unknown' : classifyMapping(answers, stunResult.local.port, init.localAddresses ?? localAddresses())
  const publicAddress = stun.find(s => s.mapped != null)?.mapped
  const relayAnswered = relays.some(r => r.answered)
  return {
    checkedAt,
    durationMs: Math.round(performance.now() - started),
    relays,
    ...(stunResult == null ? {} : { stunLocal: `${stunResult.local.address}:${stunResult.local.port}` }),
    stun,
    udp,
    mapping,
    ...(publicAddress == null ? {} : { publicAddress }),
    upnp: init.upnp ?? { status: 'not-enabled' },
    reach: reachOf(udp, mapping, relayAnswered, init.relays.length > 0)
  }
}

/** The {@link Reach} of a check's findings (the table in the {@link Reach} docstring). */
export function reachOf (udp: NetworkReport['udp'], mapping: NatMapping, relayAnswered: boolean, relaysConfigured: boolean): Reach {
  if (udp === 'works') {
    if (mapping === 'no-nat') return 'public'
    if (mapping === 'endpoint-independent') return 'direct'
    if (mapping === 'endpoint-dependent') return 'symmetric'
    return 'direct-likely'
  }
  if (udp === 'blocked') return relayAnswered ? 'udp-blocked' : 'offline'
  return relaysConfigured && !relayAnswered ? 'offline' : 'unknown'
}

/** This host's interface addresses, IPv4 and IPv6. */
function localAddresses (): string[] {
  return Object.values(networkInterfaces()).flatMap(list => (list ?? []).map(i => i.address))
}
