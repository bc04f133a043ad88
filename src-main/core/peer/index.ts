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
import { ContactRelays, peerStanding } from '../contacts/index.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { ensurePrivateDir } from '../config/index.ts'
import { LanDiscovery } from '../discovery/index.ts'
import type { LanDiscoveryInit } from '../discovery/index.ts'
import { loadOrCreateIdentity } from '../identity/index.ts'
import { createNode, portMappingOf, reservationsOf, waitForReservation } from '../node/index.ts'
import type { PortMapping, RelayReservations } from '../node/index.ts'
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
  /**
   * Whether to relay for contacts (docs/CONNECTIVITY.md §9, "Contacts and your own devices as relays"): reservations
   * and relayed connections only between contacts of this peer, read from the store at each request. Default false
   * (the app and `ferry receive` turn it on unless the person switched it off).
   */
  relayForContacts?: boolean
  decide?: TransferServiceInit['decide']
  /**
   * Whether only contacts may send (read at each offer, resumed ones included): offers from other peers are refused
   * unseen and unrecorded. Default false.
   */
  contactsOnly?: () => boolean
  /** Limits of the offers waiting for a decision (defaults: `transfer/constants.ts`; tests shorten them). */
  offerLimits?: TransferServiceInit['offerLimits']
  displayName?: string
  /** Kind of device sent with offers (display only). */
  deviceKind?: TransferServiceInit['deviceKind']
  /** Shorter transfer timeouts, in ms (tests). */
  timeouts?: TransferServiceInit['timeouts']
  /**
   * LAN discovery. mDNS runs only with `mdns: true` (off by default, so tests never multicast on real interfaces);
   * the peer then also announces its direct listen addresses — add `/ip4/0.0.0.0/tcp/0` to `listen` for that.
   */
  discovery?: { mdns?: boolean } & LanDiscoveryInit
  /**
   * Ask the LAN's router to forward a public TCP port to this peer (UPnP-IGD; `NodeInit.portMapping`). Off by default:
   * the host passes the person's choice (on in the app and `ferry receive` unless turned off).
   */
  portMapping?: boolean
}

/** A started peer. */
export interface Peer {
  peerId: string
  node: FerryLibp2p
  store: Store
  transfers: TransferService
  /** Transfers left unfinished by an earlier run, now recorded as interrupted. */
  interruptedAtStart: number
  /**
   * The reservations on `relays` (with `acceptIncoming`), made in the background and retried while a relay cannot be
   * reached: the peer starts, and LAN peers reach it, without any relay. Its `change` events tell a status line.
   */
  relays: RelayReservations
  /** The router port mapping: its status (`off` unless `portMapping`) and, once `mapped`, the public addresses. */
  portMapping: PortMapping
  /**
   * Contacts that relay for this peer: learned from identify, kept in the store, and (with `acceptIncoming`) a
   * reservation kept on each. Its `change` events carry every one's state.
   */
  contactRelays: ContactRelays
  /** Peers found on the LAN by mDNS; undefined unless `discovery.mdns` was set. */
  lan?: LanDiscovery
  /**
   * The addresses other peers can dial: WebRTC via each relay once the reservation is made, plus direct listen
   * addresses.
   *
   * @throws {NoRelayError} when relays are configured but no reservation is made within `timeoutMs` (the tries go on)
   */
  reachableAddrs: (options?: { signal?: AbortSignal, timeoutMs?: number }) => Promise<string[]>
  /**
   * Cuts a peer off at once (call it right after blocking it): ends its transfers in progress (recorded cancelled)
   * and closes its connections. A peer blocked from another process is cut off by the periodic check within
   * `BLOCK_CHECK_INTERVAL_MS`.
   */
  cutOff: (peerId: string) => Promise<void>
  /** Cancels transfers in progress, stops the node and closes the store. */
  stop: () => Promise<void>
}

/**
 * How often connected peers are checked against the block list, in ms. `ferry contacts block` runs in another process
 * than `ferry receive` (they share only the SQLite file), so a running receiver learns of a block by looking: one
 * prepared lookup per connected peer per check.
 */
export const BLOCK_CHECK_INTERVAL_MS = 2_000

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
  ensurePrivateDir(init.dataDir)
  await mkdir(init.downloadDir, { recursive: true })
  const privateKey = await loadOrCreateIdentity(init.dataDir)
  const store = openStore(join(init.dataDir, DATABASE_FILE))
  const interruptedAtStart = store.transfers.markUnfinishedAsInterrupted()
  const isBlocked = (peerId: string): boolean => store.contacts.get(peerId)?.blocked === true
  const lan = init.discovery?.mdns === true ? new LanDiscovery(init.discovery) : undefined
  let node: FerryLibp2p
  try {
    node = await createNode({
      privateKey,
      relays: init.relays,
      iceServers: init.iceServers,
      listen: init.listen,
      acceptIncoming: init.acceptIncoming,
      // Blocked contacts are refused by the connection gater, before any protocol runs.
      isBlocked,
      // Contacts always get a connection: strangers' idle connections and handshakes make room for them.
      isContact: (peerId) => store.contacts.get(peerId)?.blocked === false,
      relayForContacts: init.relayForContacts === true,
      peerDiscovery: lan == null ? [] : [lan.factory()],
      portMapping: init.portMapping
    })
  } catch (err) {
    store.close()
    throw err
  }
  const relays = reservationsOf(node)
  const contactRelays = new ContactRelays({ node, store, reserve: init.acceptIncoming !== false })
  contactRelays.start()
  // The gater runs only when a connection opens: every offer is checked again (isBlocked, and the policy of classify),
  // and connected peers periodically.
  const transfers = new TransferService({
    node, store, downloadDir: init.downloadDir, decide: init.decide, displayName: init.displayName, deviceKind: init.deviceKind, timeouts: init.timeouts,
    isBlocked,
    // Contacts, blocked peers and `contactsOnly` classify every offer, with the same facts as `contacts.trustPolicy`.
    classify: peerStanding({ store, contactsOnly: init.contactsOnly }),
    offerLimits: init.offerLimits
  })
  await transfers.start()
  const cutOff = async (peerId: string): Promise<void> => {
    transfers.endTransfersWith(peerId)
    await node.hangUp(peerIdFromString(peerId)).catch(() => {})
  }
  const blockCheck = setInterval(() => {
    const peers = new Set(node.getConnections().map(c => c.remotePeer.toString()))
    for (const peerId of peers) if (isBlocked(peerId)) void cutOff(peerId)
  }, BLOCK_CHECK_INTERVAL_MS)
  blockCheck.unref()
  return {
    peerId: node.peerId.toString(),
    node,
    store,
    transfers,
    relays,
    portMapping: portMappingOf(node),
    contactRelays,
    interruptedAtStart,
    lan,
    reachableAddrs: async (options = {}) => {
      const direct = node.getMultiaddrs().map(String).filter(a => !a.includes('/p2p-circuit'))
      if (init.relays.length === 0 || init.acceptIncoming === false) return direct
      return [...await waitForReservation(node, options), ...direct]
    },
    cutOff,
    stop: async () => {
      clearInterval(blockCheck)
      // Both bounded: js-libp2p's unhandle and stop can wait on a TCP connection whose socket already failed.
      relays.stop()
      contactRelays.stop()
      await bounded(transfers.stop())
      await bounded(Promise.resolve(node.stop()))
      store.close()
    }
  }
}
