/**
 * A running Ferry peer: identity, SQLite store, libp2p node and transfer service, started together from a data
 * directory and stopped together. This is the API the CLI, the headless server, the Electron shell and the tests
 * drive.
 *
 * @example
 * ```ts
 * const peer = await startPeer({ dataDir, downloadDir, relays: [relayAddr], iceServers: [], decide: async () => ({ accept: true }) })
 * console.log(peer.peerId, await peer.reachableAddrs({ signal }))
 * await peer.transfers.send(multiaddr(theirAddr), ['./photos'])
 * await peer.stop()
 * ```
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LanDiscovery } from '../discovery/index.ts'
import type { LanDiscoveryInit } from '../discovery/index.ts'
import { loadOrCreateIdentity } from '../identity/index.ts'
import { createNode, waitForReservation } from '../node/index.ts'
import type { FerryLibp2p } from '../node/index.ts'
import { openStore } from '../store/index.ts'
import type { Store } from '../store/index.ts'
import { TransferService } from '../transfer/index.ts'
import type { TransferServiceInit } from '../transfer/index.ts'

/** File name of the SQLite database inside the data directory. */
export const DATABASE_FILE = 'ferry.db'

/** Options of {@link startPeer}. */
export interface PeerInit {
  /** Holds `identity.key` and `ferry.db`; created if missing. */
  dataDir: string
  /** Folder incoming files go into; created if missing. */
  downloadDir: string
  /** Relay multiaddrs to reserve a slot on (see `config.resolveNetwork`). */
  relays: string[]
  /** ICE server URLs; empty for none. */
  iceServers: string[]
  /** Extra listen multiaddrs (e.g. `/ip4/0.0.0.0/tcp/0` for direct TCP). */
  listen?: string[]
  /** Whether to accept incoming connections via the relays (default true; a pure sender may skip it). */
  acceptIncoming?: boolean
  decide?: TransferServiceInit['decide']
  displayName?: string
  /** Shorter transfer timeouts, in ms (tests). */
  timeouts?: TransferServiceInit['timeouts']
  /** libp2p stream middleware for incoming transfer streams. */
  middleware?: TransferServiceInit['middleware']
  /**
   * LAN discovery. mDNS runs only with `mdns: true` (off by default, so tests never multicast on real interfaces);
   * the peer then also announces its direct listen addresses — add `/ip4/0.0.0.0/tcp/0` to `listen` for that.
   */
  discovery?: { mdns?: boolean } & LanDiscoveryInit
  /**
   * Start even when a relay cannot be reached (its reservation is then missing: `reachableAddrs` throws
   * `NoRelayError`, and a new start is needed to reserve there). Default false: the start throws. The desktop app sets it.
   */
  tolerateListenErrors?: boolean
}

/** A started peer. */
export interface Peer {
  peerId: string
  node: FerryLibp2p
  store: Store
  transfers: TransferService
  /** Transfers left unfinished by an earlier run, now recorded as interrupted. */
  interruptedAtStart: number
  /** Peers found on the LAN by mDNS; undefined unless `discovery.mdns` was set. */
  lan?: LanDiscovery
  /**
   * The addresses other peers can dial: WebRTC via each relay once the reservation is made, plus direct listen
   * addresses.
   *
   * @throws {NoRelayError} when relays are configured but no reservation is made within `timeoutMs`
   */
  reachableAddrs: (options?: { signal?: AbortSignal, timeoutMs?: number }) => Promise<string[]>
  /** Cancels transfers in progress, stops the node and closes the store. */
  stop: () => Promise<void>
}

/**
 * Longest wait for the libp2p node to stop, in ms. js-libp2p 3.3's `stop()` sometimes never settles when a TCP peer
 * closes the connection at the same moment (seen on a LAN: `ferry send` to a `receive --once` that exits after the
 * transfer) — with no handle left, so the process would end with an unsettled await (exit 13) instead of its own code.
 */
const NODE_STOP_TIMEOUT_MS = 2_000

/**
 * Waits for `step` at most {@link NODE_STOP_TIMEOUT_MS}, then goes on (a hung libp2p call must not keep the process
 * from exiting with its own code; the timer is a handle, so the process cannot end with an unsettled await meanwhile).
 */
async function bounded (step: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([step, new Promise<void>(resolve => { timer = setTimeout(resolve, NODE_STOP_TIMEOUT_MS) })])
  } finally {
    clearTimeout(timer)
  }
}

/** Starts a peer from its data directory. */
export async function startPeer (init: PeerInit): Promise<Peer> {
  await mkdir(init.dataDir, { recursive: true, mode: 0o700 })
  await mkdir(init.downloadDir, { recursive: true })
  const privateKey = await loadOrCreateIdentity(init.dataDir)
  const store = openStore(join(init.dataDir, DATABASE_FILE))
  const interruptedAtStart = store.transfers.markUnfinishedAsInterrupted()
  const lan = init.discovery?.mdns === true ? new LanDiscovery(init.discovery) : undefined
  let node: FerryLibp2p
  try {
    node = await createNode({
      privateKey,
      relays: init.relays,
      iceServers: init.iceServers,
      listen: init.listen,
      acceptIncoming: init.acceptIncoming,
      tolerateListenErrors: init.tolerateListenErrors,
      // Blocked contacts are refused by the connection gater, before any protocol runs.
      isBlocked: (peerId) => store.contacts.get(peerId)?.blocked === true,
      // Contacts always get a connection: strangers' idle connections and handshakes make room for them.
      isContact: (peerId) => store.contacts.get(peerId)?.blocked === false,
      peerDiscovery: lan == null ? [] : [lan.factory()]
    })
  } catch (err) {
    store.close()
    throw err
  }
  const transfers = new TransferService({ node, store, downloadDir: init.downloadDir, decide: init.decide, displayName: init.displayName, timeouts: init.timeouts, middleware: init.middleware })
  await transfers.start()
  return {
    peerId: node.peerId.toString(),
    node,
    store,
    transfers,
    interruptedAtStart,
    lan,
    reachableAddrs: async (options = {}) => {
      const direct = node.getMultiaddrs().map(String).filter(a => !a.includes('/p2p-circuit'))
      if (init.relays.length === 0 || init.acceptIncoming === false) return direct
      return [...await waitForReservation(node, options), ...direct]
    },
    stop: async () => {
      // Both bounded: js-libp2p's unhandle and stop can wait on a TCP connection whose socket already failed.
      await bounded(transfers.stop())
      await bounded(Promise.resolve(node.stop()))
      store.close()
    }
  }
}
