/**
 * The CLI's words for what happened, for people (the `--json` events carry the details: transport, ICE candidate pair,
 * remote address).
 */
import type { ConnectionInfo } from '../core/index.ts'
import { t } from '../text/index.ts'

/**
 * How a connection reaches the peer, in plain words: `directly on this network`, `directly (WebRTC)`, `through a TURN
 * server`, `through the relay (it carries the encrypted bytes)`.
 */
export function connectionWords (info: ConnectionInfo): string {
  if (info.transport === 'circuit-relay') return t('cli.via.relay')
  if (info.relayed) return t('cli.via.turn')
  if (info.transport === 'tcp' || info.candidateType === 'host') return t('cli.via.lan')
  return t('cli.via.direct')
}
