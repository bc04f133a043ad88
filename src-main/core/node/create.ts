import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { cleanup as releaseDataChannelThreads } from 'node-datachannel'
import type { Identify } from '@libp2p/identify'
import type { ConnectionGater, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'
import type { Ping } from '@libp2p/ping'
import { ContactRelayPolicy } from '../relay/index.ts'
import { ConnectionAdmission } from './admission.ts'
import {
  DIAL_TIMEOUT_MS, INBOUND_CONNECTION_THRESHOLD, INBOUND_UPGRADE_TIMEOUT_MS, MAX_CONNECTIONS, MAX_INBOUND_STOP_STREAMS,
  MAX_INCOMING_PENDING_CONNECTIONS
} from './constants.ts'
import { answerAsDtlsServer } from './dtls-role.ts'
import { installHandshakeWatch } from './failed-handshake.ts'
import { noteTurnServers, rtcConfigurationFor } from './ice.ts'
import { watchRelayListens } from './relay-listen.ts'
import type { RelayListenFailures } from './relay-listen.ts'
import { RelayReservations } from './reservations.ts'
import { watchLiveness } from './liveness.ts'
import { watchRelayLimits } from './relay-limits.ts'
import { bindPortMapping, PortMapping } from './port-mapping.ts'
import { applySctpSettings } from './sctp.ts'

/** Options of {@link createNode}. */
export interface NodeInit {
  /** The peer's identity (see the identity module). */
  privateKey: PrivateKey
  /**
   * Relay multiaddrs (ending in `/p2p/<relay peer ID>`) to keep a circuit-relay-v2 reservation on, with
   * `acceptIncoming`: made after start and retried in the background ({@link RelayReservations}, {@link reservationsOf}).
   */
  relays: string[]
  /** ICE server URLs (`stun:…`, `turn:USER:PASSWORD@…`; TURN on later dial attempts only, ice.ts); empty for none. */
  iceServers: string[]
  /** Extra listen multiaddrs, e.g. `/ip4/0.0.0.0/tcp/0` for direct TCP on a LAN. */
  listen?: string[]
  /**
   * Whether to listen for incoming WebRTC connections on `/webrtc` (reachable once {@link RelayReservations} holds a
   * reservation on a relay). Default true.
   */
  acceptIncoming?: boolean
  /**
   * Whether a peer is blocked: the connection gater then refuses it before any protocol runs — inbound right after the
   * Noise handshake proved its peer ID (no identify, no transfer stream), outbound before dialling. Called once per
   * connection; keep it fast (a prepared SQLite lookup is).
   */
  isBlocked?: (peerId: string) => boolean
  /**
   * Whether a peer is a contact (not blocked): its connections are never pruned for strangers' and it takes none of
   * the handshake slots strangers share (admission.ts, docs/CONNECTIVITY.md). Called per connection; keep it fast.
   */
  isContact?: (peerId: string) => boolean
  /**
   * Whether to relay for contacts (circuit-relay-v2, `../relay/contact-relay.ts`): reservations only for contacts
   * (`isContact`), relayed connections only between two contacts, with the file bytes unless `relayData` is false.
   * Off by default; useful when this peer is reachable (a public address, a mapped or forwarded port).
   */
  relayForContacts?: boolean | { relayData?: boolean }
  /** libp2p peer-discovery factories, e.g. LAN mDNS (`../discovery`). None by default. */
  peerDiscovery?: Libp2pOptions['peerDiscovery']
  /**
   * Whether to ask the LAN's router to forward a public TCP port to this node (UPnP-IGD, port-mapping.ts; status and
   * mapped addresses: {@link portMappingOf}). It multicasts SSDP searches on every interface, so it is off by default
   * (tests never set it on real interfaces). With it, the node also listens on `/ip4/0.0.0.0/tcp/0` when `listen` has
   * no TCP address: the mapping forwards to the TCP listener.
   */
  portMapping?: boolean
}

/** The services every Ferry node runs. */
export interface NodeServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
  /** The contacts-only relay, when `relayForContacts` is on. */
  relay?: CircuitRelayService
}

/** A started libp2p node with Ferry's transports and services. */
export type FerryLibp2p = Libp2p<NodeServices>

/**
 * Creates and starts a libp2p node: WebRTC (private-to-private, signalled over circuit relay), circuit relay
 * transport, WebSockets and TCP; Noise; Yamux; identify; ping. With `acceptIncoming` it listens on `/webrtc`; the
 * reservations on relays are made after start, in the background, by {@link RelayReservations} — so a relay that
 * cannot be reached (no internet, DNS failing) never keeps the node from starting.
 */
export async function createNode (init: NodeInit): Promise<FerryLibp2p> {
  // Workarounds for races in libdatachannel / @libp2p/webrtc that cost WebRTC dials 1–6 s (each file explains).
  answerAsDtlsServer()
  installHandshakeWatch()
  applySctpSettings()
  const relayFailures: RelayListenFailures = new Map()
  const admission = new ConnectionAdmission({ isContact: init.isContact })
  const portMapping = new PortMapping(init.portMapping === true)
  const contactRelay = contactRelayOf(init)
  const node = await createLibp2pNode(init, relayFailures, admission.gater(), portMapping, contactRelay)
  bindPortMapping(node, portMapping)
  noteTurnServers(node, init.iceServers)
  watchRelayLimits(node)
  admission.attach(node)
  contactRelay?.attach({ getConnections: peer => node.getConnections(peer), relay: () => node.services.relay as CircuitRelayService, addEventListener: (type, fn) => node.addEventListener(type, fn) })
  watchLiveness(node)
  const reservations = new RelayReservations(node, init.acceptIncoming === false ? [] : init.relays, relayFailures)
  keepers.set(node, reservations)
  node.addEventListener('stop', () => reservations.stop())
  reservations.start()
  liveWebRTCNodes++
  let released = false
  node.addEventListener('stop', () => {
    if (released) return
    released = true
    // node-datachannel's native threads keep the process alive after every peer connection closed (its `cleanup()`
    // releases them; without it a `ferry` command does not exit).
    // Its global cleanup() must not run while another node in this process still has connections, so only the last
    // node to stop calls it.
    if (--liveWebRTCNodes === 0) releaseDataChannelThreads()
  })
  return node
}

/**
 * DataChannel options of every WebRTC stream (docs/PERFORMANCE.md, "libp2p DataChannel options"). With
 * @libp2p/webrtc's defaults (16 KiB messages, 2 MiB buffered) a stream moved 32–56 MiB/s here, with these 54–62:
 * each message pays a fixed cost in usrsctp and in libp2p's framing, and the channel refills only after its buffer
 * fully drained.
 * - `maxMessageSize` 256 KiB: libdatachannel's (node-datachannel's) own max-message-size, which every Ferry peer
 *   advertises in its SDP; a peer advertising less (go/rust-libp2p: 16 KiB) would fail to receive these messages.
 * - `maxBufferedAmount` 16 MiB: the channel buffers up to this before `send()` reports backpressure (4 MiB cost Ferry
 *   more sender CPU). Memory stays bounded by the transfer window (WINDOW_BYTES), which counts these bytes as
 *   unacknowledged.
 */
export const DATA_CHANNEL_OPTIONS = { maxMessageSize: 256 * 1024, maxBufferedAmount: 16 * 1024 * 1024 }

const keepers = new WeakMap<FerryLibp2p, RelayReservations>()

/** The relay reservations of a node made by {@link createNode} (they stop with the node). */
export function reservationsOf (node: FerryLibp2p): RelayReservations {
  const keeper = keepers.get(node)
  if (keeper == null) throw new TypeError('Not a node made by createNode')
  return keeper
}

/** Nodes with a WebRTC transport started in this process and not yet stopped. */
let liveWebRTCNodes = 0

/** The contacts-only relay's policy, when `relayForContacts` is on. */
function contactRelayOf (init: NodeInit): ContactRelayPolicy | undefined {
  if (init.relayForContacts == null || init.relayForContacts === false) return undefined
  const relayData = typeof init.relayForContacts === 'object' ? init.relayForContacts.relayData : undefined
  return new ContactRelayPolicy({ isContact: init.isContact ?? (() => false), relayData })
}

async function createLibp2pNode (init: NodeInit, relayFailures: RelayListenFailures, admissionGater: Partial<ConnectionGater>, portMapping: PortMapping, contactRelay: ContactRelayPolicy | undefined): Promise<FerryLibp2p> {
  const acceptIncoming = init.acceptIncoming ?? true
  const mapsPort = init.portMapping === true
  const tcpListen = mapsPort && !(init.listen ?? []).some(a => a.includes('/tcp/')) ? ['/ip4/0.0.0.0/tcp/0'] : []
  const listen = [...(init.listen ?? []), ...tcpListen, ...(acceptIncoming ? ['/webrtc'] : [])]
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen },
    transports: [
      webRTC({ rtcConfiguration: rtcConfigurationFor(init.iceServers), dataChannel: DATA_CHANNEL_OPTIONS }),
      // Failed reservations typed per relay (relay-listen.ts): libp2p's transport manager folds them into one error.
      watchRelayListens(circuitRelayTransport({ reservationCompletionTimeout: 10_000, maxInboundStopStreams: MAX_INBOUND_STOP_STREAMS }), relayFailures),
      webSockets(),
      tcp()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Ferry runs on LANs and loopback as much as across the internet: private addresses are dialled too.
    connectionGater: { denyDialMultiaddr: () => false, ...everyDenial(blockedPeerGater(init.isBlocked), admissionGater, contactRelay?.gater() ?? {}) },
    peerDiscovery: init.peerDiscovery,
    connectionManager: {
      maxConnections: MAX_CONNECTIONS,
      maxIncomingPendingConnections: MAX_INCOMING_PENDING_CONNECTIONS,
      inboundConnectionThreshold: INBOUND_CONNECTION_THRESHOLD,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
      dialTimeout: DIAL_TIMEOUT_MS
    },
    // Replaced by Ferry's own (liveness.ts): libp2p's closed busy connections on slow paths.
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      ping: ping(),
      ...(mapsPort ? { upnpNAT: portMapping.service() } : {}),
      // Contacts learn that this peer relays from identify: its protocols then include circuit-relay-v2's HOP.
      ...(contactRelay == null ? {} : { relay: circuitRelayServer(contactRelay.serverInit()) })
    }
  })
}

/** Connection-gater hooks that refuse the peers `isBlocked` names, at every stage where the peer ID is known. */
function blockedPeerGater (isBlocked: NodeInit['isBlocked']): Partial<ConnectionGater> {
  if (isBlocked == null) return {}
  const deny = (peerId: PeerId): boolean => isBlocked(peerId.toString())
  return {
    denyDialPeer: deny,
    denyInboundEncryptedConnection: deny,
    denyOutboundEncryptedConnection: deny,
    denyInboundUpgradedConnection: deny,
    denyOutboundUpgradedConnection: deny
  }
}

/**
 * One gater from several: each hook runs every gater's hook of that name (all of them, in order, so none misses a
 * connection it follows) and denies if any denied.
 */
function everyDenial (...gaters: Array<Partial<ConnectionGater>>): Partial<ConnectionGater> {
  const hooks = new Map<string, Array<(...args: unknown[]) => boolean | Promise<boolean>>>()
  for (const gater of gaters) {
    for (const [name, hook] of Object.entries(gater)) {
      if (typeof hook === 'function') hooks.set(name, [...(hooks.get(name) ?? []), hook as (...args: unknown[]) => boolean | Promise<boolean>])
    }
  }
  const combined: Record<string, (...args: unknown[]) => Promise<boolean>> = {}
  for (const [name, list] of hooks) {
    combined[name] = async (...args) => {
      let deny = false
      for (const hook of list) if (await hook(...args)) deny = true
      return deny
    }
  }
  return combined as Partial<ConnectionGater>
}
