/**
 * "Copy diagnostics": a text a person can paste into a bug report — Ferry's runtime, this peer's state (relays,
 * port mapping, connections, transfers by state) and the recent debug log (core/log) — with the data and download folders and home
 * folders masked, and no file names (log calls never carry them; see core/log).
 */
import { arch, platform, release } from 'node:os'
import { recentLogLines } from '../core/index.ts'
import type { AppState } from './app.ts'

/** The diagnostics text of `app` now. */
export function diagnosticsOf (app: AppState): string {
  const peer = app.peer
  const relays = peer.relays.current.map(r => `  ${r.relay}: ${r.state}${r.problem == null ? '' : ` (${r.problem}${r.error != null && 'reason' in r.error ? `, ${r.error.reason}` : ''})`}`)
  const byState = new Map<string, number>()
  for (const t of app.views.list({ limit: 1000 })) byState.set(t.state, (byState.get(t.state) ?? 0) + 1)
  const head = [
    `Ferry diagnostics, ${new Date().toISOString()}`,
    `Runtime: Node ${process.versions.node} on ${platform()} ${release()} ${arch()}${process.versions.electron != null ? `, Electron ${process.versions.electron}` : ''}`,
    `Host: ${app.init.host?.kind ?? 'unknown'}; LAN discovery: ${app.init.mdns === true ? 'on' : 'off'}; port mapping (UPnP): ${peer.portMapping.status}${peer.portMapping.problem == null ? '' : ` (${peer.portMapping.problem})`}`,
    `Peer ID: ${peer.peerId}`,
    `Relays (${peer.relays.summary}):`, ...(relays.length > 0 ? relays : ['  none']),
    `Connections: ${peer.node.getConnections().length}`,
    `Transfers: ${[...byState].map(([state, n]) => `${n} ${state}`).join(', ') || 'none'}`,
    '',
    'Recent log (oldest first):'
  ]
  const log = recentLogLines({ mask: [app.init.dataDir, app.settings.downloadDir] })
  return [...head, ...(log.length > 0 ? log : ['  (empty)'])].join('\n')
}
