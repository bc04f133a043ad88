/**
 * The libp2p node every Ferry process runs (except the relay, see `../relay`): its transports, security, limits,
 * and the two things the transfer layer needs from it — a reservation on a relay so peers can reach this one, and a
 * dial that yields a direct connection (WebRTC or TCP), retried when a WebRTC handshake fails.
 *
 * Relay-assisted WebRTC (libp2p WebRTC spec): the listener reserves a slot on a circuit-relay-v2 relay (kept, and
 * retried while the relay cannot be reached, by {@link RelayReservations}) and listens on `/webrtc`; the dialer dials `<relay>/p2p-circuit/webrtc/p2p/<peer ID>`; the relay carries only the SDP offer/answer
 * and ICE candidates, inside the relayed connection that Noise authenticated end to end; the SDP carries each side's
 * DTLS certificate fingerprint, which binds the direct connection to that peer ID. Ferry answers offers as the DTLS
 * server (dtls-role.ts: a libdatachannel race otherwise cost a third of dials 1 s). Which path a connection
 * took (its selected ICE candidate pair, TURN or a relayed circuit) is part of {@link describeConnection}; the order
 * in which paths are tried is docs/CONNECTIVITY.md.
 *
 * Port mapping (port-mapping.ts, docs/CONNECTIVITY.md §8): with `NodeInit.portMapping` the node asks the LAN's router
 * (UPnP-IGD, `@libp2p/upnp-nat`) to forward a public TCP port to its TCP listener; the mapped address joins the node's
 * addresses, and {@link portMappingOf} tells the status (`off`, `searching`, `mapped`, `no-gateway`, `failed`).
 *
 * Who gets a connection (admission.ts, docs/CONNECTIVITY.md §5): strangers may hold only part of the connection and
 * handshake limits — their oldest idle connections and handshakes make room — so contacts (`NodeInit.isContact`) and
 * peers with a transfer running always get in; the limits are in constants.ts and docs/LIMITS.md.
 *
 * @example
 * ```ts
 * const node = await createNode({ privateKey, relays: [relayAddr], iceServers: [] })   // reserves in the background
 * reservationsOf(node).on('change', states => …)   // e.g. [{ relay, state: 'retrying', problem: 'dns-failed' }]
 * const [myAddr] = await waitForReservation(node)
 * const conn = await dialDirect(node, multiaddr(theirAddr), { signal })
 * describeConnection(conn) // { transport: 'webrtc', limited: false, relayed: false, candidateType: 'srflx', … }
 * ```
 */
export { createNode, reservationsOf } from './create.ts'
export type { FerryLibp2p, NodeInit, NodeServices } from './create.ts'
export { describeConnection, dialDirect, waitForReservation } from './dial.ts'
export { RelayReservations } from './reservations.ts'
export { isReservedIPv4, PortMapping, portMappingOf } from './port-mapping.ts'
export type { PortMappingEvents, PortMappingProblem, PortMappingProtocol, PortMappingStatus } from './port-mapping.ts'
export type { RelayProblem, RelayReservationEvents, RelayState, RelaySummary } from './reservations.ts'
export { notePeerActivity } from './liveness.ts'
export type { LivenessOptions } from './liveness.ts'
export type { ConnectionInfo, DialOptions, TransportName } from './dial.ts'
export { DialError, HandshakeFailedError, NoRelayError, RelayRefusedError } from './errors.ts'
export type { RelayRefusalReason } from './errors.ts'
export { relayListenError } from './relay-listen.ts'
export { pairType } from './candidates.ts'
export type { CandidatePair, CandidateType } from './candidates.ts'
export * from './constants.ts'
