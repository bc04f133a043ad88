import type { Connection } from '@libp2p/interface'

/**
 * ICE candidate types (RFC 8445 §5.1.1): `host` (an interface address), `srflx` (the NAT's public mapping learned from
 * STUN), `prflx` (a mapping learned from a connectivity check) and `relay` (an address on a TURN server, which then
 * carries every byte).
 */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay'

/** The ICE candidate pair a WebRTC connection selected: which path its bytes take. */
export interface CandidatePair {
  local: CandidateType
  remote: CandidateType
  /** `ip:port` of the local candidate. */
  localAddress: string
  /** `ip:port` of the remote candidate. */
  remoteAddress: string
}

/** The candidate types, least translated first: host < srflx < prflx < relay. */
const RANK: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay']

/** What node-datachannel's native `getSelectedCandidatePair()` returns per side. */
interface NativeCandidate {
  address?: string
  port?: number
  type?: string
}

/** The part of node-datachannel's `RTCPeerConnection` polyfill read here (a non-standard extension). */
interface PolyfillPeerConnection {
  selectedCandidatePair?: () => { local?: NativeCandidate, remote?: NativeCandidate } | null
}

/**
 * The selected ICE candidate pair of a WebRTC connection, or `undefined` for any other transport (or before ICE has
 * selected a pair).
 *
 * js-libp2p's WebRTC connection keeps the `RTCPeerConnection` (node-datachannel's polyfill) on the connection's
 * multiaddr connection (`conn.maConn.peerConnection`, not part of the libp2p interface; read defensively). The standard
 * route, `getStats()`, is asynchronous and builds its `candidate-pair`/`local-candidate` entries from the same native
 * `getSelectedCandidatePair()` call used here synchronously, so connection descriptions stay synchronous.
 */
export function selectedCandidatePair (conn: Connection): CandidatePair | undefined {
  const pc = (conn as unknown as { maConn?: { peerConnection?: PolyfillPeerConnection } }).maConn?.peerConnection
  if (typeof pc?.selectedCandidatePair !== 'function') return undefined
  let pair
  try {
    pair = pc.selectedCandidatePair()
  } catch {
    return undefined // the peer connection is already closed
  }
  const local = candidateType(pair?.local?.type)
  const remote = candidateType(pair?.remote?.type)
  if (pair?.local == null || pair.remote == null || local == null || remote == null) return undefined
  return {
    local,
    remote,
    localAddress: `${pair.local.address ?? '?'}:${pair.local.port ?? 0}`,
    remoteAddress: `${pair.remote.address ?? '?'}:${pair.remote.port ?? 0}`
  }
}

/**
 * One word for a pair: the most translated of its two candidate types (host < srflx < prflx < relay). `relay` means a
 * TURN server carries the bytes; `host` means both peers reached each other's interface address (same LAN).
 */
export function pairType (pair: CandidatePair): CandidateType {
  return RANK[Math.max(RANK.indexOf(pair.local), RANK.indexOf(pair.remote))] ?? 'relay'
}

function candidateType (type: string | undefined): CandidateType | undefined {
  const t = type?.toLowerCase()
  // libdatachannel names them "host", "srflx", "prflx", "relay"; older versions said "server_reflexive" etc.
  if (t === 'host') return 'host'
  if (t === 'srflx' || t === 'server_reflexive') return 'srflx'
  if (t === 'prflx' || t === 'peer_reflexive') return 'prflx'
  if (t === 'relay' || t === 'relayed') return 'relay'
  return undefined
}
