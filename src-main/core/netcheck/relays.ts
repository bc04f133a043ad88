/**
 * Which configured relays answer, and how fast: a short-lived libp2p node of its own (a fresh key, so the check tells
 * nothing about this peer's identity to a relay) dials each relay, asks for a circuit-relay-v2 reservation (circuit
 * relay v2 spec, "Reservation") and measures a libp2p ping's round trip (ping spec `/ipfs/ping/1.0.0`).
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { throwIfAborted } from '../errors/index.ts'
import { createNode, RelayRefusedError, RelayReservations } from '../node/index.ts'
import type { FerryLibp2p, RelayProblem } from '../node/index.ts'

/** Longest wait for one relay's answer (the dial, the reservation and the ping together), ms. */
export const RELAY_CHECK_TIMEOUT_MS = 15_000

/** One relay as the check saw it. */
export interface RelayCheck {
  /** The relay's multiaddr as configured (ends in `/p2p/<relay peer ID>`). */
  relay: string
  /** It answered: the dial succeeded (whether or not it then granted the reservation). */
  answered: boolean
  /** `granted`: a reservation was made; `refused`: the relay answered no; `failed`: it could not be asked. */
  reservation: 'granted' | 'refused' | 'failed'
  /** Why it gave no reservation (see `RelayProblem`), and for a refusal the relay's reason. */
  problem?: RelayProblem | 'timeout'
  reason?: string
  /** From the start of the dial to the reservation's answer, ms. */
  reserveMs?: number
  /** Round trip of one libp2p ping over the relay connection, ms. */
  pingMs?: number
}

/**
 * Checks every relay at once, each within `timeoutMs` (default {@link RELAY_CHECK_TIMEOUT_MS}), from one temporary
 * node that is stopped before this returns. Never throws for a relay that does not answer (its entry says why).
 *
 * @throws {AbortedError} when `signal` aborts
 */
export async function checkRelays (relays: readonly string[], options: { timeoutMs?: number, signal?: AbortSignal } = {}): Promise<RelayCheck[]> {
  const { signal } = options
  throwIfAborted(signal)
  if (relays.length === 0) return []
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [], iceServers: [], acceptIncoming: false })
  try {
    const checks = await Promise.all(relays.map(async relay => checkRelay(node, relay, options.timeoutMs ?? RELAY_CHECK_TIMEOUT_MS, signal)))
    throwIfAborted(signal)
    return checks
  } finally {
    await node.stop()
  }
}

async function checkRelay (node: FerryLibp2p, relay: string, timeoutMs: number, signal?: AbortSignal): Promise<RelayCheck> {
  const bound = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal == null ? [] : [signal])])
  const reservations = new RelayReservations(node, [relay])
  const started = performance.now()
  reservations.start()
  try {
    await reservations.settled(bound).catch(() => {})
    const state = reservations.current[0]
    const reserveMs = Math.round(performance.now() - started)
    if (state == null || state.state === 'connecting') return { relay, answered: false, reservation: 'failed', problem: 'timeout' }
    const answered = state.state === 'reserved' || state.problem === 'refused'
    const check: RelayCheck = {
      relay,
      answered,
      reservation: state.state === 'reserved' ? 'granted' : state.problem === 'refused' ? 'refused' : 'failed',
      ...(state.problem == null ? {} : { problem: state.problem }),
      ...(state.error instanceof RelayRefusedError ? { reason: state.error.reason } : {}),
      ...(answered ? { reserveMs } : {})
    }
    if (answered) {
      const relayPeer = multiaddr(relay).getComponents().findLast(c => c.name === 'p2p')?.value
      if (relayPeer != null) {
        const pingMs = await node.services.ping.ping(peerIdFromString(relayPeer), { signal: bound }).then(Math.round, () => undefined)
        if (pingMs != null) check.pingMs = pingMs
      }
    }
    return check
  } finally {
    reservations.stop()
  }
}
