/**
 * Typed failures of relay reservations. libp2p makes a reservation when a node listens on `<relay>/p2p-circuit`
 * (reservations.ts does, for each relay); when that fails, its transport manager throws one
 * `UnsupportedListenAddressesError` whose message quotes the error and keeps no reference to it. So the circuit relay
 * transport is wrapped ({@link watchRelayListens}) to turn each failed reservation into a {@link RelayRefusedError}
 * (the relay answered with a refusal, and why) or a {@link NoRelayError} (it could not be reached or did not answer),
 * recorded per relay.
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Transport } from '@libp2p/interface'
import { errorMessage } from '../errors/index.ts'
import { NoRelayError, RelayRefusedError } from './errors.ts'
import type { RelayRefusalReason } from './errors.ts'

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

/** The last failed reservation of each relay of one node, by relay multiaddr (without `/p2p-circuit`). */
export type RelayListenFailures = Map<string, NoRelayError | RelayRefusedError>

/**
 * Wraps a circuit relay transport factory so that a failed listen on `<relay>/p2p-circuit` (a reservation) throws
 * {@link relayListenError}'s typed error and records it in `failures` under the relay's multiaddr (a listen that
 * succeeds clears it). Other listens and every dial are untouched.
 */
export function watchRelayListens<C> (factory: (components: C) => Transport, failures: RelayListenFailures): (components: C) => Transport {
  return (components) => {
    const transport = factory(components)
    const createListener = transport.createListener.bind(transport)
    transport.createListener = (options) => {
      const listener = createListener(options)
      const listen = listener.listen.bind(listener)
      listener.listen = async (addr: Multiaddr) => {
        const relay = addr.toString().replace(/\/p2p-circuit$/, '')
        try {
          await listen(addr)
          failures.delete(relay)
        } catch (err) {
          const typed = relayListenError(relay, err)
          failures.set(relay, typed)
          throw typed
        }
      }
      return listener
    }
    return transport
  }
}
