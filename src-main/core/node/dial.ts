import { networkInterfaces } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection, ConnectionGater } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { AbortedError, errorMessage, throwIfAborted } from '../errors/index.ts'
import {
  DIAL_ATTEMPTS, DIAL_RETRY_DELAY_MS, DIAL_TIMEOUT_MS, DIRECT_ONLY_ATTEMPTS, HANDSHAKE_RETRY_WINDOW_MS, PREFER_DIRECT_GRACE_MS,
  RELAYED_DATA_LEG_DELAY_MS, RESERVATION_TIMEOUT_MS, TURN_LEG_ATTEMPTS, TURN_LEG_DELAY_MS, WEBRTC_LEG_TIMEOUT_MS
} from './constants.ts'
import { pairType, selectedCandidatePair } from './candidates.ts'
import { watchHandshake } from './failed-handshake.ts'
import { hasTurnServers, withTurn } from './ice.ts'
import { raceLegs, RaceFailedError } from './race.ts'
import type { Leg } from './race.ts'
import { relayLimits } from './relay-limits.ts'
import type { CandidatePair, CandidateType } from './candidates.ts'
import { DialError, HandshakeFailedError, LimitedConnectionError, NoNetworkInterfaceError, NoRelayError } from './errors.ts'
import type { FerryLibp2p } from './create.ts'
import { reservationsOf } from './create.ts'
import { logger } from '../log/index.ts'

const log = logger('dial')

/** The transport of a connection, as shown to people and scripts. */
export type TransportName = 'webrtc' | 'webrtc-direct' | 'circuit-relay' | 'websockets' | 'tcp' | 'other'

/** What a connection runs over: `{ transport, remoteAddr, limited, relayed, candidateType?, candidates? }`. */
export interface ConnectionInfo {
  transport: TransportName
  remoteAddr: string
  /** True for a relayed circuit, which has data and time limits and never carries file bytes. */
  limited: boolean
  /**
   * True when a server carries the bytes: a TURN server (the selected ICE pair has a `relay` candidate) or a relay
   * granting an unlimited circuit (transport `circuit-relay`, the fallback of docs/CONNECTIVITY.md).
   */
  relayed: boolean
  /** WebRTC only: the selected candidate pair summed up in one word (see {@link pairType}). */
  candidateType?: CandidateType
  /** WebRTC only: the selected ICE candidate pair. */
  candidates?: CandidatePair
}

/** Names the transport of `conn` from its remote multiaddr and, for WebRTC, its selected ICE candidate pair. */
export function describeConnection (conn: Connection): ConnectionInfo {
  const names = conn.remoteAddr.getComponents().map(c => c.name)
  const transport: TransportName = names.includes('webrtc')
    ? 'webrtc'
    : names.includes('webrtc-direct')
      ? 'webrtc-direct'
      : names.includes('p2p-circuit')
        ? 'circuit-relay'
        : names.includes('ws') || names.includes('wss')
          ? 'websockets'
          : names.includes('tcp') ? 'tcp' : 'other'
  const candidates = transport === 'webrtc' || transport === 'webrtc-direct' ? selectedCandidatePair(conn) : undefined
  const candidateType = candidates == null ? undefined : pairType(candidates)
  return {
    transport,
    remoteAddr: conn.remoteAddr.toString(),
    limited: conn.limits != null,
    relayed: transport === 'circuit-relay' || candidateType === 'relay',
    ...(candidates == null ? {} : { candidateType, candidates })
  }
}

/** Options of {@link dialDirect}. */
export interface DialOptions {
  signal?: AbortSignal
  /** Attempts before giving up (default 3): of the address, or of the direct WebRTC leg of a race. */
  attempts?: number
  /** Time per attempt in ms (default 15 000). */
  attemptTimeoutMs?: number
  /** Called before each retry with the attempt number that failed (1-based) and its error. */
  onRetry?: (attempt: number, err: unknown) => void
  /**
   * Whether the race has a relayed-data leg: the relay circuit itself, when WebRTC has not connected within 3 s
   * (default true). It is used only if the relay grants an unlimited circuit (`ferry relay --relay-data`, a contact
   * relaying for its contacts); see docs/CONNECTIVITY.md §1.
   */
  relayFallback?: boolean
  /** Called when the relayed-data leg opens a circuit (WebRTC is still trying). */
  onFallback?: () => void
}

/**
 * Dials `addr` and returns a connection that can carry file bytes — not a limited relayed circuit.
 *
 * A WebRTC address through a relay (`<relay>/p2p-circuit/webrtc/p2p/<peer>`) is dialled as a race of up to three
 * legs (race.ts, after RFC 8305's Happy Eyeballs; order, timing and measurements in docs/CONNECTIVITY.md §1):
 * - at 0 ms, WebRTC with ICE given the STUN servers only — a direct path (host, server-reflexive or peer-reflexive),
 *   as `attempts` attempts 250 ms apart (a handshake that fails at once is tried again within its attempt);
 * - at {@link TURN_LEG_DELAY_MS}, if a TURN server is configured, WebRTC offering TURN too (two attempts);
 * - at {@link RELAYED_DATA_LEG_DELAY_MS}, unless `relayFallback` is false, the relay circuit itself
 *   (`<relay>/p2p-circuit/p2p/<peer>`), used only if the relay grants an unlimited circuit (`ferry relay
 *   --relay-data`, a contact relaying for its contacts), and only through a relay known not to limit its circuits
 *   (relay-limits.ts: learned from every relayed connection, such as leg 1's signalling circuit); while that is
 *   unknown, the leg waits for leg 1 to fail. A limited circuit is closed and the leg counts as failed.
 * A leg starts at once when every leg started so far has failed. Earlier legs keep running when later ones start. A
 * direct connection wins at once; one through a server (TURN, or the circuit) waits {@link PREFER_DIRECT_GRACE_MS}
 * for a running leg to bring a better one (direct before TURN before the circuit). Every losing connection is closed.
 *
 * Any other address is dialled as it is, up to `attempts` times.
 *
 * @throws {NoNetworkInterfaceError} at once, for a WebRTC address, when this host has no interface but loopback
 * @throws {DialError} when every leg failed; `cause` is the WebRTC leg's last error
 * @throws {LimitedConnectionError} when only a limited connection came up (the address is a plain relay circuit)
 * @throws {AbortedError} when `signal` aborts
 */
export async function dialDirect (node: FerryLibp2p, addr: Multiaddr, options: DialOptions = {}): Promise<Connection> {
  const circuit = relayCircuitOf(addr)
  if (circuit == null) return await dialWithRetries(node, addr, options, 'queue')
  if (!hasNetworkInterface()) throw new NoNetworkInterfaceError()
  try {
    return await raceLegs(legsOf(node, addr, circuit, options), { signal: options.signal, rank: rankOf, graceMs: PREFER_DIRECT_GRACE_MS })
  } catch (err) {
    if (!(err instanceof RaceFailedError)) throw err
    const webrtc = err.errors.find(e => e.leg === 'webrtc')?.error
    if (webrtc instanceof LimitedConnectionError) throw webrtc
    const message = webrtc instanceof DialError ? webrtc.message : `Could not connect to ${addr.toString()}: ${errorMessage(webrtc)}`
    const relayed = err.errors.find(e => e.leg === 'relayed-data')?.error
    const cause = webrtc instanceof DialError ? webrtc.cause : webrtc
    if (relayed instanceof LimitedConnectionError) throw new DialError(`${message}; the relay does not carry file bytes for peers that cannot connect directly (see docs/CONNECTIVITY.md)`, { cause })
    throw new DialError(message, { cause })
  }
}

/** The legs of {@link dialDirect}'s race: direct WebRTC, WebRTC with TURN, the relayed-data circuit. */
function legsOf (node: FerryLibp2p, addr: Multiaddr, circuit: Multiaddr, options: DialOptions): Leg[] {
  const within = (signal: AbortSignal): DialOptions => ({ ...options, signal: options.signal == null ? signal : AbortSignal.any([options.signal, signal]) })
  const turn = hasTurnServers(node)
  let directDone = false
  const legs: Leg[] = [{
    name: 'webrtc',
    delayMs: 0,
    // With a TURN leg of its own running, this one never offers TURN; without one it may, in its last attempt.
    dial: async (signal) => {
      try {
        return await dialWithRetries(node, addr, within(signal), 'queue', turn)
      } finally {
        directDone = true
      }
    }
  }]
  if (turn) {
    legs.push({
      name: 'webrtc+turn',
      delayMs: TURN_LEG_DELAY_MS,
      dial: async (signal) => await withTurn(async () => dialWithRetries(node, addr, { ...within(signal), attempts: TURN_LEG_ATTEMPTS }, 'transport', false))
    })
  }
  if (options.relayFallback !== false) {
    legs.push({
      name: 'relayed-data',
      delayMs: RELAYED_DATA_LEG_DELAY_MS,
      dial: async (signal) => {
        const limited = new LimitedConnectionError('The relay does not carry file bytes for peers that cannot connect directly (see docs/CONNECTIVITY.md)')
        // Only through a relay known not to limit its circuits; while that is unknown (no circuit through it seen yet:
        // the signalling circuit was refused, or is slow), only once the direct leg has failed, as before the race.
        while (relayLimits(node, circuit) == null && !directDone) await sleep(RELAY_LIMITS_POLL_MS, undefined, { signal })
        if (relayLimits(node, circuit) === true) throw limited
        options.onFallback?.()
        log('trying the relayed-data circuit %a', circuit)
        // A new circuit, through the transport: libp2p's dial queue would hand out an unlimited circuit that a WebRTC
        // attempt opened for its handshake (js-libp2p `findExistingConnection`), which the WebRTC transport then
        // closes — and, even with `force`, it holds this dial until leg 1's dial to the same peer ends (measured in
        // the lab: the circuit came at 6.1 s, right after leg 1's first attempt timed out, instead of at 3 s).
        const conn = await dialOnce(node, circuit, within(signal), 'transport')
        if (conn.limits == null) return conn
        void conn.close().catch(() => {})
        throw limited
      }
    })
  }
  return legs
}

/** How often the relayed-data leg looks again whether its relay's limits are known yet, in ms. */
const RELAY_LIMITS_POLL_MS = 100

/** How a connection ranks in the race: 0 direct, 1 through TURN, 2 through the relay circuit. */
function rankOf (conn: Connection): number {
  const info = describeConnection(conn)
  return info.transport === 'circuit-relay' ? 2 : info.relayed ? 1 : 0
}

/**
 * `attempts` dials of `addr`, {@link DIAL_RETRY_DELAY_MS} apart. Unless `directOnly`, the attempts after the first
 * {@link DIRECT_ONLY_ATTEMPTS} (always the last one) offer ICE the TURN servers too (ice.ts).
 */
async function dialWithRetries (node: FerryLibp2p, addr: Multiaddr, options: DialOptions, via: DialVia, directOnly = false): Promise<Connection> {
  const attempts = options.attempts ?? DIAL_ATTEMPTS
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      // Later attempts add the TURN servers: the first ones leave ICE only direct paths to find (ice.ts).
      const turn = !directOnly && attempt > Math.min(DIRECT_ONLY_ATTEMPTS, attempts - 1)
      log('attempt %d of %d to %a%s', attempt, attempts, addr, turn ? ' (TURN offered)' : '')
      const conn = turn ? await withTurn(async () => dialWithinWindow(node, addr, attempt, options, via)) : await dialWithinWindow(node, addr, attempt, options, via)
      if (conn.limits == null) return conn
      const limited = new LimitedConnectionError(`Only a relayed connection to ${addr.toString()} came up; Ferry sends file bytes over direct connections only (dial the /webrtc address)`)
      // A WebRTC dial that joined a dial already in progress to the same peer (libp2p's dial queue merges dials by
      // peer ID: e.g. a presence ping through the relay) gets that dial's limited circuit. Dial again: libp2p never
      // hands out an existing limited connection, so the next attempt negotiates WebRTC.
      if (relayCircuitOf(addr) == null || attempt === attempts) throw limited
      lastError = limited
    } catch (err) {
      if (err instanceof LimitedConnectionError || err instanceof AbortedError) throw err
      lastError = err
    }
    log.error('attempt %d failed: %s', attempt, (lastError as { code?: string, name?: string })?.code ?? (lastError as Error)?.name)
    if (attempt < attempts) {
      options.onRetry?.(attempt, lastError)
      await sleep(DIAL_RETRY_DELAY_MS, undefined, { signal: options.signal }).catch(() => {})
      throwIfAborted(options.signal)
    }
  }
  throw new DialError(`Could not connect to ${addr.toString()} after ${attempts} attempts: ${errorMessage(lastError)}`, { cause: lastError })
}

/**
 * One attempt: a dial of `addr`, tried again while its WebRTC handshake fails at once ({@link HandshakeFailedError},
 * failed-handshake.ts) until {@link HANDSHAKE_RETRY_WINDOW_MS} have passed, with pauses doubling from
 * DIAL_RETRY_DELAY_MS up to 2 s. So a handshake lost to a race is tried again within ~0.3 s, and a refusal that lasts
 * a few seconds (the peer still closing the connection that just dropped) is outlasted within the attempt, as when an
 * attempt always ran into libp2p's 6 s dial timeout.
 */
async function dialWithinWindow (node: FerryLibp2p, addr: Multiaddr, attempt: number, options: DialOptions, via: DialVia): Promise<Connection> {
  const started = Date.now()
  for (let tries = 0; ; tries++) {
    try {
      return await dialOnce(node, addr, options, via)
    } catch (err) {
      if (!(err instanceof HandshakeFailedError) || Date.now() - started >= HANDSHAKE_RETRY_WINDOW_MS) throw err
      options.onRetry?.(attempt, err)
      await sleep(Math.min(DIAL_RETRY_DELAY_MS * 2 ** tries, 2_000), undefined, { signal: options.signal }).catch(() => {})
      throwIfAborted(options.signal)
    }
  }
}

/**
 * How a dial reaches the transport: through libp2p's dial queue (`queue`: it hands out an open connection to the
 * peer, and merges dials to one peer), or through the transport itself (`transport`: a new connection even while
 * another dial to the peer runs — as @libp2p/webrtc dials its signalling circuit — so a leg is not merged into another).
 */
type DialVia = 'queue' | 'transport'

/**
 * One dial of `addr`, bounded by the attempt timeout (and a WebRTC dial through the transport by libp2p's per-address
 * dial timeout {@link WEBRTC_LEG_TIMEOUT_MS}, which the dial queue applies to the others).
 * @throws {AbortedError} when `options.signal` aborts
 */
async function dialOnce (node: FerryLibp2p, addr: Multiaddr, options: DialOptions, via: DialVia): Promise<Connection> {
  throwIfAborted(options.signal)
  const limitMs = options.attemptTimeoutMs ?? DIAL_TIMEOUT_MS
  const webrtc = addr.getComponents().some(c => c.name === 'webrtc')
  const timeout = AbortSignal.timeout(webrtc && via === 'transport' ? Math.min(limitMs, WEBRTC_LEG_TIMEOUT_MS) : limitMs)
  // A WebRTC handshake that fails ends the attempt at once (failed-handshake.ts), not at the timeout.
  return await watchHandshake(async (failed) => {
    const signal = AbortSignal.any(options.signal == null ? [timeout, failed] : [options.signal, timeout, failed])
    try {
      if (via === 'queue') return await node.dial(addr, { signal })
      // libp2p's dial queue asks the connection gater first (a blocked peer is never dialled); so does this.
      const peer = addr.getComponents().findLast(c => c.name === 'p2p')?.value
      if (peer != null && await componentsOf(node).connectionGater.denyDialPeer?.(peerIdFromString(peer)) === true) {
        throw new DialError(`Dialling ${peer} is refused (the peer is blocked)`)
      }
      return await componentsOf(node).transportManager.dial(addr, { signal })
    } catch (err) {
      if (options.signal?.aborted === true) throw new AbortedError('The dial was cancelled', { cause: err })
      if (failed.aborted && !timeout.aborted) throw failed.reason as Error
      throw err
    }
  })
}

/** The parts of libp2p's components (`@libp2p/interface-internal`'s transport manager, the gater) {@link dialOnce} uses. */
interface Components {
  transportManager: { dial: (addr: Multiaddr, options: { signal: AbortSignal }) => Promise<Connection> }
  connectionGater: Pick<ConnectionGater, 'denyDialPeer'>
}

/** The node's components (libp2p's own WebRTC transport dials its signalling circuit through them the same way). */
function componentsOf (node: FerryLibp2p): Components {
  return (node as unknown as { components: Components }).components
}

/** Whether this host has a network interface other than loopback (an ICE agent can gather candidates on it). */
function hasNetworkInterface (): boolean {
  return Object.values(networkInterfaces()).some(addrs => addrs?.some(a => !a.internal) === true)
}

/** `<relay>/p2p-circuit/p2p/<peer>` for a WebRTC-through-relay address, else undefined. */
function relayCircuitOf (addr: Multiaddr): Multiaddr | undefined {
  const components = addr.getComponents()
  const webrtc = components.findIndex(c => c.name === 'webrtc')
  if (webrtc < 1 || components[webrtc - 1]?.name !== 'p2p-circuit') return undefined
  return multiaddr(components.filter((_c, i) => i !== webrtc))
}

/**
 * Waits until the node holds a reservation on at least one of its relays and returns its WebRTC addresses
 * (`<relay>/p2p-circuit/webrtc/p2p/<own peer ID>`), which peers dial to reach it.
 *
 * @throws {RelayRefusedError} if no reservation is made within `timeoutMs` (default 10 000 ms) and a relay refused one
 * @throws {NoRelayError} if no reservation is made within `timeoutMs` otherwise
 */
export async function waitForReservation (node: FerryLibp2p, options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? RESERVATION_TIMEOUT_MS)
  while (true) {
    const addrs = node.getMultiaddrs().map(String).filter(a => a.includes('/p2p-circuit/webrtc/'))
    if (addrs.length > 0) return addrs
    if (options.signal?.aborted === true) throw new AbortedError('Waiting for a relay reservation was cancelled')
    if (Date.now() > deadline) throw reservationsOf(node).failure ?? new NoRelayError('No relay reachable: could not make a reservation on any configured relay')
    await sleep(50)
  }
}
