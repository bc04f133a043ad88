/**
 * A running peer as every host starts it: the core peer (`startPeer`) with the receive policy (./receive-policy.ts)
 * as its decision, the LAN listen default, and the presence of contacts. The app service (./app.ts) runs one per
 * start (a new one when the relays change); `ferry receive` and `ferry send` run one each.
 */
import { PresenceTracker } from '../core/contacts/index.ts'
import type { PresenceInit } from '../core/contacts/index.ts'
import { startPeer } from '../core/index.ts'
import type { DeviceKind, Peer, TransferTimeouts } from '../core/index.ts'
import { listenAddrsOf, receivePolicy } from './receive-policy.ts'
import type { ReceivePolicyInit } from './receive-policy.ts'

/** Options of {@link startPeerSession}. */
export interface PeerSessionInit {
  /** Holds `identity.key` and `ferry.db`; created (0700) if missing. */
  dataDir: string
  /** Where received files go (created if missing). */
  downloadDir: string
  /** Relay multiaddrs (each ending in `/p2p/<relay peer ID>`); `[]` for none. */
  relays: string[]
  /** ICE server URLs; `[]` for none. */
  iceServers: string[]
  /** Listen multiaddrs; default: `LAN_LISTEN` for a peer that receives with `mdns`, else the core's. */
  listen?: string[]
  /** LAN discovery by mDNS (default off). */
  mdns?: boolean
  /** The name offers carry. */
  displayName?: string
  /** The kind of device offers carry (display only). */
  deviceKind?: DeviceKind
  /** Map a port on the router by UPnP-IGD (default off; docs/CONNECTIVITY.md "Port mapping"). */
  portMapping?: boolean
  /**
   * Relay between this peer's contacts, never for strangers (default off; docs/CONNECTIVITY.md §9 "Contacts and your
   * own devices as relays"). The app passes its `relayForContacts` setting, `ferry receive` its
   * `--no-relay-for-contacts` flag.
   */
  relayForContacts?: boolean
  /** Shorter transfer timeouts, ms (tests). */
  timeouts?: Partial<TransferTimeouts>
  /**
   * The receive policy (without `store`: the session's own); leave it out for a peer that only sends — it accepts no
   * incoming transfer and listens on no LAN address by default.
   */
  receive?: Omit<ReceivePolicyInit, 'store'>
  /** Presence checking of contacts, started with the session (ms; defaults: contacts module constants); false: none. */
  presence?: Pick<PresenceInit, 'intervalMs' | 'misses' | 'checkTimeoutMs'> | false
}

/** A running peer and its presence tracker. */
export interface PeerSession {
  peer: Peer
  /** Undefined with `presence: false`. */
  presence?: PresenceTracker
  /** Stops presence checks and the peer (pending transfers are cancelled by the core). */
  stop: () => Promise<void>
}

/**
 * Starts a peer with the receive policy, the LAN listen default and presence (see the module).
 * @throws the errors of `startPeer` (e.g. `store-too-new`, a listen address in use)
 */
export async function startPeerSession (init: PeerSessionInit): Promise<PeerSession> {
  const mdns = init.mdns === true
  const receive = init.receive
  const started: { peer?: Peer } = {}
  const decide = receive == null ? undefined : receivePolicy({ ...receive, store: () => started.peer?.store })
  const peer = await startPeer({
    dataDir: init.dataDir,
    downloadDir: init.downloadDir,
    relays: init.relays,
    iceServers: init.iceServers,
    listen: listenAddrsOf(init.listen, { mdns, receives: receive != null }),
    discovery: { mdns },
    ...(decide == null ? { acceptIncoming: false } : { decide, contactsOnly: receive?.contactsOnly }),
    displayName: init.displayName,
    deviceKind: init.deviceKind,
    portMapping: init.portMapping,
    relayForContacts: init.relayForContacts,
    timeouts: init.timeouts
  })
  started.peer = peer
  const presence = init.presence === false ? undefined : new PresenceTracker({ node: peer.node, store: peer.store, lan: peer.lan, ...init.presence })
  presence?.start()
  return {
    peer,
    presence,
    stop: async () => {
      await presence?.stop()
      await peer.stop()
    }
  }
}
