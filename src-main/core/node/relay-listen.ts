/**
 * Typed failures of relay reservations. libp2p makes a reservation when a node listens on `<relay>/p2p-circuit`; when
 * that fails, its transport manager throws one `UnsupportedListenAddressesError` for all listen addresses, whose
 * message quotes each address's error and keeps no reference to it. So the circuit relay transport is wrapped
 * ({@link watchRelayListens}) to turn each failed reservation into a {@link RelayRefusedError} (the relay answered
 * with a refusal) or a {@link NoRelayError} (it could not be reached or did not answer), recorded per relay.
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Transport } from '@libp2p/interface'
import { errorMessage } from '../errors/index.ts'
import { NoRelayError, RelayRefusedError } from './errors.ts'
import type { RelayRefusalReason } from './errors.ts'

/** The failed reservations of one node, by relay multiaddr (`<relay>/p2p-circuit` without the `/p2p-circuit`). */
export type RelayListenFailures = Map<string, NoRelayError | RelayRefusedError>

/**
 * A circuit-relay-v2 status the relay answered, from @libp2p/circuit-relay-v2's error when a reservation is not `OK`:
 * it throws a plain `Error` whose message is `reservation failed with status <STATUS>` (transport/reservation-store.js,
 * v4) and exposes the status nowhere else. Undefined when the error is not such an answer (a dial failure, a timeout).
 */
function refusalStatusOf (err: unknown): string | undefined {
  if (!(err instanceof Error) || err.name !== 'Error') return undefined
  return /^reservation failed with status ([A-Z_]+)$/.exec(err.message)?.[1]
}

const REASONS: Record<string, RelayRefusalReason> = {
  RESERVATION_REFUSED: 'reservation-refused',
  PERMISSION_DENIED: 'permission-denied',
  RESOURCE_LIMIT_EXCEEDED: 'resource-limit-exceeded'
}

/**
 * The typed error for a failed listen on `<relay>/p2p-circuit`: {@link RelayRefusedError} when the relay answered
 * the reservation with a refusal, else {@link NoRelayError} (not reachable, no answer in time). `cause` is `err`.
 */
export function relayListenError (relay: string, err: unknown): NoRelayError | RelayRefusedError {
  if (err instanceof RelayRefusedError || err instanceof NoRelayError) return err
  const status = refusalStatusOf(err)
  if (status != null) return new RelayRefusedError(relay, REASONS[status] ?? 'other', { cause: err })
  return new NoRelayError(`The relay ${relay} cannot be reached, so devices outside this network cannot reach this one: ${errorMessage(err)}`, { cause: err })
}

/**
 * Wraps a circuit relay transport factory so that a failed listen on `<relay>/p2p-circuit` (a reservation) throws
 * {@link relayListenError}'s typed error and records it in `failures` under the relay's multiaddr. Other listens and
 * every dial are untouched.
 */
export function watchRelayListens<C> (factory: (components: C) => Transport, failures: RelayListenFailures): (components: C) => Transport {
  return (components) => {
    const transport = factory(components)
    const createListener = transport.createListener.bind(transport)
    transport.createListener = (options) => {
      const listener = createListener(options)
      const listen = listener.listen.bind(listener)
      listener.listen = async (addr: Multiaddr) => {
        try {
          await listen(addr)
          failures.delete(relayOf(addr))
        } catch (err) {
          const typed = relayListenError(relayOf(addr), err)
          failures.set(relayOf(addr), typed)
          throw typed
        }
      }
      return listener
    }
    return transport
  }
}

/** The relay's multiaddr in a `<relay>/p2p-circuit` listen address. */
function relayOf (addr: Multiaddr): string {
  return addr.toString().replace(/\/p2p-circuit$/, '')
}

/**
 * The error to report when no reservation was made: a refusal if any relay refused (it tells the person what to do),
 * else the first failure; undefined when none was recorded.
 */
export function reservationFailure (failures: RelayListenFailures): NoRelayError | RelayRefusedError | undefined {
  const all = [...failures.values()]
  return all.find(f => f instanceof RelayRefusedError) ?? all[0]
}

/** Each started node's failed reservations, by relay. */
const failuresByNode = new WeakMap<object, RelayListenFailures>()

/** Keeps `failures` (filled by {@link watchRelayListens}) as `node`'s, for {@link relayFailureOf}. */
export function rememberRelayFailures (node: object, failures: RelayListenFailures): void {
  failuresByNode.set(node, failures)
}

/**
 * Why `node` holds no reservation, when a start that tolerated listen errors failed to make one: a
 * `RelayRefusedError` if a relay refused, else a `NoRelayError`; undefined if no reservation failed.
 */
export function relayFailureOf (node: object): NoRelayError | RelayRefusedError | undefined {
  const failures = failuresByNode.get(node)
  return failures == null ? undefined : reservationFailure(failures)
}
