/**
 * The CLI's words for what happened, for people (the `--json` events carry the details: transport, ICE candidate pair,
 * remote address).
 */
import type { RecipientRoute } from '../app/index.ts'
import type { ConnectionInfo } from '../core/index.ts'
import { printable, t } from '../text/index.ts'

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

/**
 * How `ferry send` reaches a recipient named by peer ID or contact, for its `route` line: `via its relay`, `through
 * Carol's Ferry` (a contact relaying, docs/CONNECTIVITY.md §9), `on the LAN`, `at its last known address`.
 */
export function routeWords (route: Pick<RecipientRoute, 'via' | 'relay'>): string {
  if (route.via === 'contact-relay') return route.relay == null ? t('path.relayUnknown') : t('path.contactRelay', { name: printable(route.relay.name) })
  if (route.via === 'relay') return 'via its relay'
  if (route.via === 'lan') return 'on the LAN'
  return 'at its last known address'
}
