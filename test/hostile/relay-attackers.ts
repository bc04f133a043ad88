/**
 * The relay attackers: bare libp2p nodes and raw TCP sockets aimed at a `ferry relay`, each bound to a loopback source
 * address of its own (127.0.0.2 and up; Linux routes all of 127.0.0.0/8 to `lo`), so that a relay's per-source limits
 * see them as other hosts than the honest peers, which come from 127.0.0.1.
 *
 * @libp2p/tcp hands its `dialOpts` to `net.connect`, so `localAddress` there chooses the source address of a dial.
 */
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { ferry } from '../helpers/cli.ts'
import type { Event } from '../helpers/cli.ts'

/** The `i`-th attacker source address: 127.0.0.2, 127.0.0.3, … (never the honest peers' 127.0.0.1). */
export function attackerSource (i: number): string {
  if (i < 0 || i > 250) throw new RangeError(`attacker source ${i} out of range`)
  return `127.0.0.${i + 2}`
}

/**
 * A bare libp2p node (TCP, Noise, Yamux, circuit relay client) whose dials leave from `source`; a new identity unless
 * `privateKey` is given. Listening on `<relay>/p2p-circuit` makes a reservation during start (a refusal throws).
 */
export async function attackerNode (source: string, listen: string[] = [], privateKey?: PrivateKey): Promise<Libp2p> {
  return createLibp2p({
    ...(privateKey == null ? {} : { privateKey }),
    addresses: { listen },
    transports: [tcp({ dialOpts: { localAddress: source } as Record<string, unknown> }), circuitRelayTransport({ reservationCompletionTimeout: 5_000 })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: 10_000, dialTimeout: 5_000 },
    services: { identify: identify() }
  })
}

/** Outcome of reservation attempts: how many the relay granted and how many it refused. */
export interface ReservationTally { reserved: number, refused: number }

/**
 * New identities that each reserve a slot on `relay` (a `/p2p/`-terminated multiaddr) and keep their connection:
 * `identities` of them, spread round-robin over `sources` source addresses, `concurrency` at a time. `stop()` closes
 * them all (their connections to the relay end).
 */
export async function holdReservations (relay: string, options: { identities: number, sources: string[], concurrency?: number }): Promise<ReservationTally & { stop: () => Promise<void> }> {
  const nodes: Libp2p[] = []
  const tally: ReservationTally = { reserved: 0, refused: 0 }
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < options.identities) {
      const i = next++
      const source = options.sources[i % options.sources.length] as string
      try {
        // Listening on `<relay>/p2p-circuit` makes the reservation during start; a refusal makes the start throw.
        nodes.push(await attackerNode(source, [`${relay}/p2p-circuit`]))
        tally.reserved++
      } catch (err) {
        if (process.env.DEBUG_ATTACK) console.log(err)
        tally.refused++
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker))
  return { ...tally, stop: async () => { await Promise.all(nodes.splice(0).map(async n => n.stop())) } }
}

/** New identities that each reserve a slot on `relay` and disconnect at once (see {@link holdReservations}). */
export async function reserveAndLeave (relay: string, options: { identities: number, sources: string[], concurrency?: number }): Promise<ReservationTally> {
  let reserved = 0
  let refused = 0
  // In batches, each closed before the next, so the attacker never holds more than `concurrency` connections.
  for (let done = 0; done < options.identities;) {
    const batch = Math.min(options.concurrency ?? 8, options.identities - done)
    const held = await holdReservations(relay, { identities: batch, sources: options.sources.slice(done % options.sources.length).concat(options.sources), concurrency: batch })
    reserved += held.reserved
    refused += held.refused
    await held.stop()
    done += batch
  }
  return { reserved, refused }
}

/**
 * Connections from one attacker identity to `relay`, each a full libp2p connection (TCP, Noise, Yamux) leaving from
 * `source`, opened as fast as the relay accepts them for `forMs`, at most `count`. Returns how many are open at the
 * end, and `stop()` to close them.
 */
export async function holdConnections (relay: string, options: { count: number, source: string, forMs: number }): Promise<{ open: () => number, stop: () => Promise<void> }> {
  const node = await attackerNode(options.source)
  const target = multiaddr(relay)
  const deadline = Date.now() + options.forMs
  // Concurrent dials to one peer may share one connection (libp2p's dial queue), so connections are counted by ID.
  const opened = new Set<string>()
  const worker = async (): Promise<void> => {
    while (opened.size < options.count && Date.now() < deadline) {
      try {
        opened.add((await node.dial(target, { force: true, signal: AbortSignal.timeout(5_000) })).id)
      } catch {
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker))
  return { open: () => node.getConnections().filter(c => c.status === 'open').length, stop: async () => node.stop() }
}

/**
 * TCP sockets to `host`:`port` that send nothing (a libp2p handshake that never starts), `count` spread round-robin
 * over `sources`; with `reopen`, each one the relay closes is opened again 100 ms later, until `stop()`.
 * `heldFor(ms)` counts the sockets open for at least `ms` now — those the relay holds, as opposed to those it refuses
 * (and closes within milliseconds); `closedAfterMs` holds, per closed socket, the ms from its connect to its close.
 */
export async function silentSockets (host: string, port: number, options: { count: number, sources: string[], reopen?: boolean }): Promise<{ heldFor: (ms: number) => number, open: () => number, closedAfterMs: number[], stop: () => void }> {
  const connectedAt = new Map<Socket, number>()
  const sockets = new Set<Socket>()
  const closedAfterMs: number[] = []
  let stopped = false
  const openOne = async (source: string): Promise<void> => new Promise<void>((resolve) => {
    const socket = connect({ host, port, localAddress: source })
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('connect', () => {
      connectedAt.set(socket, Date.now())
      resolve()
    })
    socket.once('close', () => {
      const at = connectedAt.get(socket)
      if (at != null) closedAfterMs.push(Date.now() - at)
      connectedAt.delete(socket)
      sockets.delete(socket)
      resolve()
      if (options.reopen === true && !stopped) setTimeout(() => { if (!stopped) void openOne(source) }, 100)
    })
  })
  await Promise.all(Array.from({ length: options.count }, async (_v, i) => openOne(options.sources[i % options.sources.length] as string)))
  return {
    heldFor: (ms) => [...connectedAt.values()].filter(at => Date.now() - at >= ms).length,
    open: () => connectedAt.size,
    closedAfterMs,
    stop: () => { stopped = true; for (const s of sockets) s.destroy() }
  }
}

/** The host and TCP port of a `/ip4/<host>/tcp/<port>/…` multiaddr. */
export function hostAndPort (addr: string): { host: string, port: number } {
  const m = /^\/ip4\/([^/]+)\/tcp\/(\d+)/.exec(addr)
  if (m?.[1] == null || m[2] == null) throw new Error(`not a TCP multiaddr: ${addr}`)
  return { host: m[1], port: Number(m[2]) }
}

/**
 * An honest `ferry receive` (the real CLI, from 127.0.0.1) using `relay`: its first `ready` or `error` event and the
 * ms from its start to that event. `ready` comes once the relay's first reservation try ended: `relayStatus` is
 * `reserved`, or not, with `relayError` saying why (a receiver starts without its relay and keeps trying). The
 * process is stopped before this returns.
 */
export async function honestReceive (relay: string, dir: string, timeoutMs = 20_000): Promise<{ event: Event, ms: number }> {
  const started = Date.now()
  const receiver = ferry(['receive', '--relay', relay, '--data-dir', `${dir}/data`, '--out', `${dir}/out`, '--no-mdns'])
  try {
    const event = await Promise.any([receiver.waitFor('ready', timeoutMs), receiver.waitFor('error', timeoutMs)])
    return { event, ms: Date.now() - started }
  } finally {
    await receiver.stop()
  }
}
