import { networkInterfaces } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection, ConnectionGater } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { AbortedError, errorMessage, throwIfAborted } from '../errors/index.ts'
import { DIAL_ATTEMPTS, DIAL_RETRY_DELAY_MS, DIAL_TIMEOUT_MS, HANDSHAKE_RETRY_WINDOW_MS, PREFER_DIRECT_GRACE_MS, RELAYED_DATA_LEG_DELAY_MS, RESERVATION_TIMEOUT_MS, TURN_LEG_DELAY_MS, WEBRTC_LEG_TIMEOUT_MS } from './constants.ts'
import { pairType, selectedCandidatePair } from './candidates.ts'
import { watchHandshake } from './failed-handshake.ts'
import { hasTurnServers, withTurn } from './ice.ts'
import { raceLegs, RaceFailedError } from './race.ts'
import type { Leg } from './race.ts'
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
  /** Attempts (for a WebRTC address through a relay: rounds of the race) before giving up (default 2). */
  attempts?: number
  /** Time per attempt in ms (default 15 000; a WebRTC leg also stops after 6 s, `WEBRTC_LEG_TIMEOUT_MS`). */
  attemptTimeoutMs?: number
  /** Called before each retry with the attempt number that failed (1-based) and its error. */
  onRetry?: (attempt: number, err: unknown) => void
  /**
   * Whether to race the relay circuit itself (the relayed-data leg) against WebRTC when WebRTC has not connected
   * within `RELAYED_DATA_LEG_DELAY_MS` (default true). It is used only if the relay grants an unlimited circuit
   * (`ferry relay --relay-data`); see docs/CONNECTIVITY.md.
   */
  relayFallback?: boolean
  /** Called when the relayed-data leg starts (`err` is always undefined: WebRTC is still trying). */
  onFallback?: (err: unknown) => void
}

/**
 * Dials `addr` and returns a connection that can carry file bytes — not a limited relayed circuit.
 *
 * A WebRTC address through a relay (`<relay>/p2p-circuit/webrtc/p2p/<peer>`) is dialled as a race of up to three
 * legs (race.ts, after RFC 8305's Happy Eyeballs; the order and timing are in docs/CONNECTIVITY.md §1):
 * - at 0 ms, WebRTC offering ICE the STUN servers only — a direct path (host, server-reflexive or peer-reflexive);
 * - at {@link TURN_LEG_DELAY_MS}, if nothing connected yet and a TURN server is configured, WebRTC offering TURN too;
 * - at {@link RELAYED_DATA_LEG_DELAY_MS}, unless `relayFallback` is false, the relay circuit itself
 *   (`<relay>/p2p-circuit/p2p/<peer>`): used only if the relay grants an unlimited circuit (`ferry relay
 *   --relay-data`); a limited one is closed and the leg counts as failed.
 * Earlier legs keep running when later ones start. A direct connection wins at once; a connection through a server
 * (TURN, or the circuit) waits {@link PREFER_DIRECT_GRACE_MS} for a running leg to bring a better one (direct before
 * TURN before the circuit). Every losing connection is closed. When every leg failed, the race is run again, up to
 * `attempts` rounds.
 *
 * Any other address is dialled as it is, tried again up to `attempts` times.
 *
 * @throws {NoNetworkInterfaceError} at once, for a WebRTC address, when this host has no interface but loopback
 * @throws {DialError} when every round failed; `cause` is the last WebRTC leg's error
 * @throws {LimitedConnectionError} when only a limited connection came up (the address is a plain relay circuit)
 * @throws {AbortedError} when `signal` aborts
 */
export async function dialDirect (node: FerryLibp2p, addr: Multiaddr, options: DialOptions = {}): Promise<Connection> {
  const circuit = relayCircuitOf(addr)
  if (circuit == null) return await dialWithRetries(node, addr, options)
  if (!hasNetworkInterface()) throw new NoNetworkInterfaceError()
  const rounds = options.attempts ?? DIAL_ATTEMPTS
  let lastError: unknown
  for (let round = 1; round <= rounds; round++) {
    log('round %d of %d to %a', round, rounds, addr)
    try {
      return await raceLegs(legsOf(node, addr, circuit, round, options), { signal: options.signal, rank: rankOf, graceMs: PREFER_DIRECT_GRACE_MS })
    } catch (err) {
      if (!(err instanceof RaceFailedError)) throw err
      lastError = err.errors.filter(e => e.leg !== 'relayed-data').at(-1)?.error ?? err.errors.at(-1)?.error
      log.error('round %d failed: %s', round, err.message)
    }
    if (round < rounds) {
      options.onRetry?.(round, lastError)
      await sleep(DIAL_RETRY_DELAY_MS, undefined, { signal: options.signal }).catch(() => {})
      throwIfAborted(options.signal)
    }
  }
  throw new DialError(`Could not connect to ${addr.toString()} after ${rounds} ${rounds === 1 ? 'round' : 'rounds'}: ${errorMessage(lastError)}`, { cause: lastError })
}

/** The legs of one round of {@link dialDirect}: direct WebRTC, WebRTC with TURN, the relayed-data circuit. */
function legsOf (node: FerryLibp2p, addr: Multiaddr, circuit: Multiaddr, round: number, options: DialOptions): Leg[] {
  const legs: Leg[] = [{
    name: 'webrtc',
    delayMs: 0,
    dial: async (signal) => await webrtcLeg(node, addr, round, { ...options, signal: anySignal(options.signal, signal) }, 'queue')
  }]
  if (hasTurnServers(node)) {
    legs.push({
      name: 'webrtc+turn',
      delayMs: TURN_LEG_DELAY_MS,
      dial: async (signal) => await withTurn(async () => webrtcLeg(node, addr, round, { ...options, signal: anySignal(options.signal, signal) }, 'transport'))
    })
  }
  if (options.relayFallback !== false) {
    legs.push({
      name: 'relayed-data',
      delayMs: RELAYED_DATA_LEG_DELAY_MS,
      dial: async (signal) => {
        options.onFallback?.(undefined)
        const conn = await dialOnce(node, circuit, { ...options, signal: anySignal(options.signal, signal) }, 'transport')
        if (conn.limits == null) return conn
        void conn.close().catch(() => {})
        throw new LimitedConnectionError('The relay does not carry file bytes for peers that cannot connect directly (see docs/CONNECTIVITY.md)')
      }
    })
  }
  return legs
}

/**
 * One WebRTC leg: a dial tried again within its window when the handshake fails at once. A dial through libp2p's
 * queue that joined a dial already in progress to the same peer (libp2p merges dials by peer ID: e.g. a presence ping
 * through the relay) gets that dial's limited circuit; then the leg dials the transport itself.
 */
async function webrtcLeg (node: FerryLibp2p, addr: Multiaddr, round: number, options: DialOptions, via: DialVia): Promise<Connection> {
  const conn = await dialWithinWindow(node, addr, round, options, via)
  if (conn.limits == null) return conn
  const again = await dialWithinWindow(node, addr, round, options, 'transport')
  if (again.limits == null) return again
  throw new LimitedConnectionError(`Only a relayed connection to ${addr.toString()} came up`)
}

/** How a connection ranks in the race: 0 direct, 1 through TURN, 2 through the relay circuit. */
function rankOf (conn: Connection): number {
  const info = describeConnection(conn)
  return info.transport === 'circuit-relay' ? 2 : info.relayed ? 1 : 0
}

/** A signal that aborts when either does. */
function anySignal (a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a == null ? b : AbortSignal.any([a, b])
}

/** Dials any address but a WebRTC one through a relay: `attempts` tries, 250 ms apart. */
async function dialWithRetries (node: FerryLibp2p, addr: Multiaddr, options: DialOptions): Promise<Connection> {
  const attempts = options.attempts ?? DIAL_ATTEMPTS
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      log('attempt %d of %d to %a', attempt, attempts, addr)
      const conn = await dialWithinWindow(node, addr, attempt, options, 'queue')
      if (conn.limits == null) return conn
      throw new LimitedConnectionError(`Only a relayed connection to ${addr.toString()} came up; Ferry sends file bytes over direct connections only (dial the /webrtc address)`)
    } catch (err) {
      if (err instanceof LimitedConnectionError || err instanceof AbortedError) throw err
      lastError = err
    }
    log.error('attempt %d failed: %s', attempt, (lastError as { code?: string, name?: string })?.code ?? (lastError as Error)?.name)
    if (attempt < attempts) {
      options.onRetry?.(attempt, lastError)
      await sleep(DIAL_RETRY_DELAY_MS, undefined, { signal: options.signal }).catch(() => {})
    }
  }
  throw new DialError(`Could not connect to ${addr.toString()} after ${attempts} attempts: ${errorMessage(lastError)}`, { cause: lastError })
}

/**
 * Through libp2p's dial queue (`queue`: it hands out an open connection to the peer, and merges dials to one peer) or
 * the transport itself (`transport`: a new connection, even while another dial to the peer runs — as @libp2p/webrtc
 * dials its signalling circuit).
 */
type DialVia = 'queue' | 'transport'

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
 * One dial of `addr`, bounded by the attempt timeout (and, for WebRTC, by {@link WEBRTC_LEG_TIMEOUT_MS}).
 * @throws {AbortedError} when `options.signal` aborts
 */
async function dialOnce (node: FerryLibp2p, addr: Multiaddr, options: DialOptions, via: DialVia): Promise<Connection> {
  throwIfAborted(options.signal)
  const webrtc = addr.getComponents().some(c => c.name === 'webrtc')
  const limitMs = options.attemptTimeoutMs ?? DIAL_TIMEOUT_MS
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
