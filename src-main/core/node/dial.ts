import { networkInterfaces } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { AbortedError, errorMessage, throwIfAborted } from '../errors/index.ts'
import { DIAL_ATTEMPTS, DIAL_RETRY_DELAY_MS, DIAL_TIMEOUT_MS, DIRECT_ONLY_ATTEMPTS, HANDSHAKE_RETRY_WINDOW_MS, RESERVATION_TIMEOUT_MS } from './constants.ts'
import { pairType, selectedCandidatePair } from './candidates.ts'
import { watchHandshake } from './failed-handshake.ts'
import { withTurn } from './ice.ts'
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
  /** Attempts before giving up (default 3). */
  attempts?: number
  /** Time per attempt in ms (default 15 000). */
  attemptTimeoutMs?: number
  /** Called before each retry with the attempt number that failed (1-based) and its error. */
  onRetry?: (attempt: number, err: unknown) => void
  /**
   * Whether to fall back to the relay circuit itself when every WebRTC attempt through it failed (default true). It
   * is used only if the relay grants an unlimited circuit (`ferry relay --relay-data`); see docs/CONNECTIVITY.md.
   */
  relayFallback?: boolean
  /** Called when the WebRTC attempts failed and the relayed-data fallback is tried, with the last WebRTC error. */
  onFallback?: (err: unknown) => void
}

/**
 * Dials `addr` and returns a connection that can carry file bytes — not a limited relayed circuit — retrying failed
 * attempts (WebRTC handshakes through a relay fail now and then, docs/CONNECTIVITY.md). The first
 * {@link DIRECT_ONLY_ATTEMPTS} attempts (never the last) offer ICE no TURN server, so that a direct path wins wherever
 * one exists (see ice.ts).
 *
 * When `addr` is a WebRTC address through a relay (`<relay>/p2p-circuit/webrtc/p2p/<peer>`) and every attempt failed
 * (no ICE candidate pair works: UDP blocked, symmetric NATs without TURN), it dials the circuit itself
 * (`<relay>/p2p-circuit/p2p/<peer>`): if the relay grants an unlimited circuit, the bytes flow through the relay and
 * the connection describes itself as `relayed`; a limited circuit is refused as before. The fallback starts only
 * after every WebRTC attempt failed, so a peer that can be reached directly is not relayed this way.
 *
 * @throws {NoNetworkInterfaceError} at once, for a WebRTC address, when this host has no interface but loopback
 * @throws {DialError} when every attempt failed (and the fallback, if tried, gave no unlimited circuit)
 * @throws {LimitedConnectionError} when only a limited connection came up (the address is a plain relay circuit)
 * @throws {AbortedError} when `signal` aborts
 */
export async function dialDirect (node: FerryLibp2p, addr: Multiaddr, options: DialOptions = {}): Promise<Connection> {
  if (relayCircuitOf(addr) != null && !hasNetworkInterface()) throw new NoNetworkInterfaceError()
  try {
    return await dialWithRetries(node, addr, options)
  } catch (err) {
    if (!(err instanceof DialError) || options.relayFallback === false) throw err
    const circuit = relayCircuitOf(addr)
    if (circuit == null) throw err
    log('every WebRTC attempt failed; trying the relayed-data fallback %a', circuit)
    options.onFallback?.(err.cause)
    let conn: Connection
    try {
      // A new circuit (`force`): libp2p would otherwise hand out an unlimited circuit that a failed WebRTC attempt
      // opened for its handshake (js-libp2p `findExistingConnection`), which the WebRTC transport then closes.
      conn = await dialOnce(node, circuit, options, true)
    } catch (fallbackErr) {
      if (fallbackErr instanceof AbortedError) throw fallbackErr
      throw err
    }
    if (conn.limits == null) return conn
    throw new DialError(`${err.message}; the relay does not carry file bytes for peers that cannot connect directly (see docs/CONNECTIVITY.md)`, { cause: err.cause })
  }
}

async function dialWithRetries (node: FerryLibp2p, addr: Multiaddr, options: DialOptions): Promise<Connection> {
  const attempts = options.attempts ?? DIAL_ATTEMPTS
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      // Later attempts add the TURN servers: the first ones leave ICE only direct paths to find (ice.ts).
      const turn = attempt > Math.min(DIRECT_ONLY_ATTEMPTS, attempts - 1)
      log('attempt %d of %d to %a%s', attempt, attempts, addr, turn ? ' (TURN offered)' : '')
      const conn = turn ? await withTurn(async () => dialWithinWindow(node, addr, attempt, options)) : await dialWithinWindow(node, addr, attempt, options)
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
async function dialWithinWindow (node: FerryLibp2p, addr: Multiaddr, attempt: number, options: DialOptions): Promise<Connection> {
  const started = Date.now()
  for (let tries = 0; ; tries++) {
    try {
      return await dialOnce(node, addr, options)
    } catch (err) {
      if (!(err instanceof HandshakeFailedError) || Date.now() - started >= HANDSHAKE_RETRY_WINDOW_MS) throw err
      options.onRetry?.(attempt, err)
      await sleep(Math.min(DIAL_RETRY_DELAY_MS * 2 ** tries, 2_000), undefined, { signal: options.signal }).catch(() => {})
      throwIfAborted(options.signal)
    }
  }
}

/** One dial of `addr`, bounded by the attempt timeout. @throws {AbortedError} when `options.signal` aborts */
async function dialOnce (node: FerryLibp2p, addr: Multiaddr, options: DialOptions, force = false): Promise<Connection> {
  throwIfAborted(options.signal)
  const timeout = AbortSignal.timeout(options.attemptTimeoutMs ?? DIAL_TIMEOUT_MS)
  // A WebRTC handshake that fails ends the attempt at once (failed-handshake.ts), not at the timeout.
  return await watchHandshake(async (failed) => {
    const signal = AbortSignal.any(options.signal == null ? [timeout, failed] : [options.signal, timeout, failed])
    try {
      return await node.dial(addr, { signal, ...(force ? { force: true } : {}) })
    } catch (err) {
      if (options.signal?.aborted === true) throw new AbortedError('The dial was cancelled', { cause: err })
      if (failed.aborted && !timeout.aborted) throw failed.reason as Error
      throw err
    }
  })
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
