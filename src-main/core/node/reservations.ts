import { EventEmitter, once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr } from '@multiformats/multiaddr'
import type { Listener } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { RESERVATION_CHECK_MS, RESERVATION_RETRY_MAX_MS, RESERVATION_RETRY_MIN_MS, RESERVATION_TIMEOUT_MS } from './constants.ts'
import { throwIfAborted } from '../errors/index.ts'
import type { FerryLibp2p } from './create.ts'
import { RelayRefusedError } from './errors.ts'
import type { NoRelayError } from './errors.ts'
import { relayListenError } from './relay-listen.ts'
import { logger } from '../log/index.ts'
import type { RelayListenFailures } from './relay-listen.ts'

/**
 * Why a relay holds no reservation now:
 * - `offline`: no route to it (the network is down, or this host has no route out): `ENETUNREACH`, `EHOSTUNREACH`;
 * - `dns-failed`: its `/dns*` or `/dnsaddr` name did not resolve (no DNS server answers, or no such name);
 * - `unreachable`: its address was tried and nothing answered or the connection was refused;
 * - `refused`: it answered, but refused the reservation (full, or a limit of the relay's): {@link RelayState.error} is
 *   the {@link RelayRefusedError} that says why.
 */
export type RelayProblem = 'offline' | 'dns-failed' | 'unreachable' | 'refused'

/** One configured relay's reservation, as {@link RelayReservations} sees it. */
export interface RelayState {
  /** The relay's multiaddr as configured (ends in `/p2p/<relay peer ID>`). */
  relay: string
  /** `reserved` while a reservation is held; `connecting` during a try; `retrying` between tries. */
  state: 'reserved' | 'connecting' | 'retrying'
  /** Why the last try failed (with `retrying`, and with `connecting` after a failed try). */
  problem?: RelayProblem
  /** When the next try starts (epoch ms), with `retrying`. */
  nextTryAt?: number
  /** The last try's failure, typed: a {@link RelayRefusedError} (with its reason) or a {@link NoRelayError}. */
  error?: NoRelayError | RelayRefusedError
}

/**
 * What all configured relays amount to, for one status line: `none` (no relay configured), `reserved` (at least one
 * reservation held), `connecting` (the first tries are running), `offline` (every relay failed for lack of a network
 * route or DNS: only peers on the LAN can reach this one), `unreachable` (otherwise, retrying).
 */
export type RelaySummary = 'none' | 'reserved' | 'connecting' | 'offline' | 'unreachable'

/** Events of {@link RelayReservations}. */
export interface RelayReservationEvents {
  /** Any relay's state changed; carries every relay's state. */
  change: [RelayState[]]
}

/**
 * Keeps a circuit-relay-v2 reservation on every configured relay, in the background, for as long as the node runs:
 * a relay that cannot be reached (at start, or later — no network, DNS failing, the relay restarting) is tried again
 * with pauses doubling from {@link RESERVATION_RETRY_MIN_MS} to {@link RESERVATION_RETRY_MAX_MS}, and a reservation
 * that is lost (the relay's connection closed) is made again the same way. A node therefore starts and works on a
 * LAN with no internet, and becomes reachable through its relays within {@link RESERVATION_RETRY_MAX_MS} of a relay
 * answering again, without a restart.
 *
 * Each try (at most {@link RESERVATION_TIMEOUT_MS} for the dial, as long again for the reservation) first dials the relay (which tells a missing route or DNS apart from a relay that does not answer), then
 * listens on `<relay>/p2p-circuit` through libp2p's transport manager, which makes the reservation (circuit-relay-v2
 * spec, "Reservation") and adds the node's `<relay>/p2p-circuit/webrtc` address. One circuit listener is made per
 * relay and reused by later tries (libp2p keeps every listener it made until the node stops).
 */
export class RelayReservations extends EventEmitter<RelayReservationEvents> {
  private readonly node: FerryLibp2p
  private readonly states: Map<string, RelayState>
  private readonly controller = new AbortController()
  private readonly circuitListeners = new Map<string, Listener>()

  private readonly failures: RelayListenFailures

  /**
   * `relays`: multiaddrs ending in `/p2p/<relay peer ID>`; `failures`: where the node's wrapped circuit relay transport
   * records each relay's typed listen failure (relay-listen.ts). Nothing runs before {@link start}.
   */
  constructor (node: FerryLibp2p, relays: readonly string[], failures: RelayListenFailures = new Map()) {
    super()
    this.node = node
    this.failures = failures
    this.states = new Map(relays.map(relay => [relay, { relay, state: 'connecting' }]))
  }

  /** Starts keeping every relay's reservation; returns at once. */
  start (): void {
    for (const relay of this.states.keys()) void this.keep(relay)
  }

  /**
   * Starts keeping a reservation on one more relay (a contact that relays, learned while running); nothing when it is
   * kept already or after {@link stop}.
   */
  add (relay: string): void {
    if (this.states.has(relay) || this.controller.signal.aborted) return
    this.states.set(relay, { relay, state: 'connecting' })
    this.emit('change', this.current)
    void this.keep(relay)
  }

  /** Stops trying (reservations already held stay until the node stops). */
  stop (): void {
    this.controller.abort()
  }

  /** Every configured relay's state now. */
  get current (): RelayState[] {
    return [...this.states.values()].map(s => ({ ...s }))
  }

  /** All relays' states as one {@link RelaySummary}. */
  get summary (): RelaySummary {
    return summarize(this.current)
  }

  /**
   * Why no reservation is held, when none is: a relay's refusal first (it tells the person what to do), else the first
   * relay's failure; undefined while one is held or none failed yet.
   */
  get failure (): NoRelayError | RelayRefusedError | undefined {
    const states = this.current
    if (states.some(s => s.state === 'reserved')) return undefined
    const errors = states.flatMap(s => s.error == null ? [] : [s.error])
    return errors.find(e => e instanceof RelayRefusedError) ?? errors[0]
  }

  /**
   * Resolves with the {@link summary} once every relay's first try ended (or one holds a reservation) — at once
   * without relays. A start-up waits for this before saying how this peer can be reached.
   *
   * @throws {AbortedError} when `signal` aborts first
   */
  async settled (signal?: AbortSignal): Promise<RelaySummary> {
    while (this.summary === 'connecting') {
      throwIfAborted(signal)
      await once(this, 'change', { signal }).catch(() => {})
    }
    return this.summary
  }

  private set (relay: string, next: Omit<RelayState, 'relay'>): void {
    const state = { relay, ...next }
    const before = this.states.get(relay)
    if (before?.state === state.state && before.problem === state.problem && before.nextTryAt === state.nextTryAt && before.error === state.error) return
    this.states.set(relay, state)
    if (!this.controller.signal.aborted) this.emit('change', this.current)
  }

  /** The loop of one relay: reserve, wait until the reservation is lost, again; pauses double after each failure. */
  private async keep (relay: string): Promise<void> {
    const signal = this.controller.signal
    let pause = RESERVATION_RETRY_MIN_MS
    let problem: RelayProblem | undefined
    let error: NoRelayError | RelayRefusedError | undefined
    while (!signal.aborted) {
      this.set(relay, { state: 'connecting', problem, error })
      try {
        await this.reserve(relay, signal)
        problem = undefined
        error = undefined
        pause = RESERVATION_RETRY_MIN_MS
        log('reserved on %s', relay)
        this.set(relay, { state: 'reserved' })
        await this.whileReserved(relay, signal)
      } catch (err) {
        if (signal.aborted) return
        problem = problemOf(err)
        error = relayListenError(relay, err)
        log.error('no reservation on %s: %s%s; next try in %d ms', relay, problem, error instanceof RelayRefusedError ? ` (${error.reason})` : '', pause)
        this.set(relay, { state: 'retrying', problem, error, nextTryAt: Date.now() + pause })
        await sleep(pause, undefined, { signal }).catch(() => {})
        pause = Math.min(pause * 2, RESERVATION_RETRY_MAX_MS)
      }
    }
  }

  /** One try: dial the relay, then listen on its `/p2p-circuit` (the reservation). */
  private async reserve (relay: string, stopped: AbortSignal): Promise<void> {
    const relayAddr = multiaddr(relay)
    await this.node.dial(relayAddr, { signal: AbortSignal.any([stopped, AbortSignal.timeout(RESERVATION_TIMEOUT_MS)]) })
    const circuit = relayAddr.encapsulate('/p2p-circuit')
    const listener = this.circuitListeners.get(relay)
    if (listener != null) {
      await listener.listen(circuit).catch((err: unknown) => { throw relayListenError(relay, err) })
      return
    }
    const transports = (this.node as unknown as NodeInternals).components.transportManager
    const before = new Set(transports.getListeners())
    const listening = transports.listen([circuit])
    // The transport manager registers the listener before it listens: it is the one not there before.
    const made = transports.getListeners().find(l => !before.has(l))
    if (made != null) this.circuitListeners.set(relay, made)
    // The relay was reached: a failure now is its answer to the reservation (a refusal, typed with its reason).
    await listening.catch((err: unknown) => { throw this.failures.get(relay) ?? relayListenError(relay, err) })
  }

  /** Resolves once the relay's reservation is gone (its listener has no address any more), or on stop. */
  private async whileReserved (relay: string, signal: AbortSignal): Promise<void> {
    const listener = this.circuitListeners.get(relay)
    while (!signal.aborted && (listener?.getAddrs().length ?? 0) > 0) {
      await sleep(RESERVATION_CHECK_MS, undefined, { signal }).catch(() => {})
    }
  }
}

/**
 * The part of js-libp2p's node object (`Libp2pNode.components`, not in its public interface) that listens on a new
 * address after start: libp2p has no public call for it, and a relay listen address given at start is tried once.
 */
interface NodeInternals {
  components: { transportManager: { getListeners: () => Listener[], listen: (addrs: Multiaddr[]) => Promise<void> } }
}

const log = logger('relay')

/** The errno-style codes that mean "no route": the host is offline or has no route to the relay's network. */
const NO_ROUTE_CODES = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL'])

/** Classifies a failed try by the error's name and code, down its `cause` and `errors` (never its message text). */
function problemOf (err: unknown): RelayProblem {
  const seen = new Set<unknown>()
  const names = new Set<string>()
  const codes = new Set<string>()
  const walk = (e: unknown): void => {
    if (e == null || typeof e !== 'object' || seen.has(e)) return
    seen.add(e)
    const { name, code, cause, errors } = e as { name?: unknown, code?: unknown, cause?: unknown, errors?: unknown }
    if (typeof name === 'string') names.add(name)
    if (typeof code === 'string') codes.add(code)
    walk(cause)
    if (Array.isArray(errors)) errors.forEach(walk)
  }
  walk(err)
  if (err instanceof RelayRefusedError) return 'refused'
  if ([...codes].some(c => NO_ROUTE_CODES.has(c))) return 'offline'
  if (names.has('DNSQueryFailedError') || names.has('EmptyDNSAnswerError') || codes.has('ENOTFOUND') || codes.has('EAI_AGAIN')) return 'dns-failed'
  return 'unreachable'
}

/** {@link RelaySummary} of `states`. */
function summarize (states: readonly RelayState[]): RelaySummary {
  if (states.length === 0) return 'none'
  if (states.some(s => s.state === 'reserved')) return 'reserved'
  if (states.some(s => s.problem == null)) return 'connecting'
  if (states.every(s => s.problem === 'offline' || s.problem === 'dns-failed')) return 'offline'
  return 'unreachable'
}
