import type { Connection, Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Per node: relay peer ID → whether the last circuit seen through that relay was limited. */
const learned = new WeakMap<object, Map<string, boolean>>()

/** The peer ID of the relay a circuit address goes through (the `p2p` component before `p2p-circuit`), if any. */
function relayOf (addr: Multiaddr): string | undefined {
  const components = addr.getComponents()
  const circuit = components.findIndex(c => c.name === 'p2p-circuit')
  if (circuit < 1) return undefined
  return components.slice(0, circuit).findLast(c => c.name === 'p2p')?.value
}

function note (node: object, conn: Connection): void {
  const relay = relayOf(conn.remoteAddr)
  if (relay == null) return
  let map = learned.get(node)
  if (map == null) learned.set(node, map = new Map())
  map.set(relay, conn.limits != null)
}

/**
 * Learns, from every relayed connection `node` opens or accepts, whether each relay limits the circuits it relays.
 * circuit-relay-v2 gives every relayed connection through a relay the limit the relay sets (circuit-relay-v2 spec,
 * `Limit` in the `STATUS` of `CONNECT`): a relay that limits one circuit (`ferry relay` without `--relay-data`, a
 * public libp2p relay) limits the next, so a dial does not open a circuit through it in the hope of carrying file
 * bytes (dial.ts). Runs until the node stops.
 */
export function watchRelayLimits (node: Libp2p): void {
  node.addEventListener('connection:open', (evt) => { note(node, evt.detail) })
}

/**
 * Whether the relay of `circuit` (`<relay>/p2p-circuit/p2p/<peer>`) is known to limit its circuits: `true` when the
 * last circuit `node` saw through it was limited (or a limited one through it is open now), `false` when it was not,
 * `undefined` when no circuit through it was seen.
 */
export function relayLimits (node: Libp2p, circuit: Multiaddr): boolean | undefined {
  const relay = relayOf(circuit)
  if (relay == null) return undefined
  for (const conn of node.getConnections()) {
    if (conn.limits != null && relayOf(conn.remoteAddr) === relay) return true
  }
  return learned.get(node)?.get(relay)
}
