import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { AbortedError, errorMessage, throwIfAborted } from '../errors/index.ts'
import { DIAL_ATTEMPTS, DIAL_RETRY_DELAY_MS, DIAL_TIMEOUT_MS, RESERVATION_TIMEOUT_MS } from './constants.ts'
import { DialError, LimitedConnectionError, NoRelayError } from './errors.ts'
import type { FerryLibp2p } from './create.ts'

/** The transport of a connection, as shown to people and scripts. */
export type TransportName = 'webrtc' | 'webrtc-direct' | 'circuit-relay' | 'websockets' | 'tcp' | 'other'

/** What a connection runs over: `{ transport, remoteAddr, limited }`. */
export interface ConnectionInfo {
  transport: TransportName
  remoteAddr: string
  /** True for a relayed circuit, which has data and time limits and never carries file bytes. */
  limited: boolean
}

/** Names the transport of `conn` from its remote multiaddr. */
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
  return { transport, remoteAddr: conn.remoteAddr.toString(), limited: conn.limits != null }
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
}

/**
 * Dials `addr` and returns a connection that can carry file bytes — not a limited relayed circuit — retrying failed
 * attempts (WebRTC handshakes through a relay fail now and then, design brief §1).
 *
 * @throws {DialError} when every attempt failed
 * @throws {LimitedConnectionError} when only a limited connection came up (the address is a plain relay circuit)
 * @throws {AbortedError} when `signal` aborts
 */
export async function dialDirect (node: FerryLibp2p, addr: Multiaddr, options: DialOptions = {}): Promise<Connection> {
  const attempts = options.attempts ?? DIAL_ATTEMPTS
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    throwIfAborted(options.signal)
    const timeout = AbortSignal.timeout(options.attemptTimeoutMs ?? DIAL_TIMEOUT_MS)
    const signal = options.signal == null ? timeout : AbortSignal.any([options.signal, timeout])
    try {
      const conn = await node.dial(addr, { signal })
      if (conn.limits != null) {
        throw new LimitedConnectionError(`Only a relayed connection to ${addr.toString()} came up; Ferry sends file bytes over direct connections only (dial the /webrtc address)`)
      }
      return conn
    } catch (err) {
      if (err instanceof LimitedConnectionError) throw err
      if (options.signal?.aborted === true) throw new AbortedError('The dial was cancelled', { cause: err })
      lastError = err
      if (attempt < attempts) {
        options.onRetry?.(attempt, err)
        await sleep(DIAL_RETRY_DELAY_MS, undefined, { signal: options.signal }).catch(() => {})
      }
    }
  }
  throw new DialError(`Could not connect to ${addr.toString()} after ${attempts} attempts: ${errorMessage(lastError)}`, { cause: lastError })
}

/**
 * Waits until the node holds a reservation on at least one of its relays and returns its WebRTC addresses
 * (`<relay>/p2p-circuit/webrtc/p2p/<own peer ID>`), which peers dial to reach it.
 *
 * @throws {NoRelayError} if no reservation is made within `timeoutMs` (default 10 000 ms)
 */
export async function waitForReservation (node: FerryLibp2p, options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? RESERVATION_TIMEOUT_MS)
  while (true) {
    const addrs = node.getMultiaddrs().map(String).filter(a => a.includes('/p2p-circuit/webrtc/'))
    if (addrs.length > 0) return addrs
    if (options.signal?.aborted === true) throw new AbortedError('Waiting for a relay reservation was cancelled')
    if (Date.now() > deadline) throw new NoRelayError('No relay reachable: could not make a reservation on any configured relay')
    await sleep(50)
  }
}
