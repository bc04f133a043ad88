/**
 * LAN discovery: Ferry peers on the same network find each other by mDNS (multicast DNS, RFC 6762, as in the libp2p
 * mDNS spec) under the Ferry-only service tag {@link MDNS_SERVICE_TAG}, with no relay and no server. A peer that
 * listens on a LAN address (`/ip4/0.0.0.0/tcp/0`) announces it; a peer found this way is dialled directly over TCP.
 *
 * mDNS is off unless asked for: `startPeer({ discovery: { mdns: true } })`. The CLI asks for it by default and
 * honours `--no-mdns` and `FERRY_MDNS=off` (read by the hosts, src-main/app/environment.ts); the tests keep it off except inside network
 * namespaces they create, so no multicast reaches the machine's real interfaces.
 *
 * Discovery answers are not trusted: they only say where to dial, and the connection's Noise handshake proves the
 * peer ID (a spoofed answer gives a failed dial).
 *
 * @example
 * ```ts
 * const lan = new LanDiscovery()
 * const node = await createNode({ privateKey, relays: [], iceServers: [], listen: ['/ip4/0.0.0.0/tcp/0'], peerDiscovery: [lan.factory()] })
 * lan.on('peer', p => console.log('nearby', p.peerId, p.addrs))
 * const bob = await lan.waitFor(bobPeerId, { timeoutMs: 2000 })
 * ```
 */
export { LanDiscovery } from './lan.ts'
export type { LanDiscoveryInit, LanPeer, PeerDiscoveryFactory } from './lan.ts'
export * from './constants.ts'
