/**
 * The CLI's words for what happened, for people (the `--json` events carry the details: transport, ICE candidate pair,
 * remote address).
 */
import type { ConnectionInfo } from '../core/index.ts'

/**
 * How a connection reaches the peer, in plain words: `directly on this network`, `directly (WebRTC)`, `through a TURN
 * server`, `through the relay (it carries the encrypted bytes)`.
 */
export function connectionWords (info: ConnectionInfo): string {
  if (info.transport === 'circuit-relay') return 'through the relay (it carries the encrypted bytes)'
  if (info.relayed) return 'through a TURN server (it carries the encrypted bytes)'
  if (info.transport === 'tcp' || info.candidateType === 'host') return 'directly on this network'
  return 'directly'
}
