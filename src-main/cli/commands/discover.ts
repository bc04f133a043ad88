import { startPeer } from '../../core/index.ts'
import { ConfigError } from '../../core/config/index.ts'
import type { LanPeer } from '../../core/discovery/index.ts'
import { ENV_NAMES } from '../../app/environment.ts'
import { dataDirOf, interruptSignal, mdnsOf } from '../options.ts'
import type { Output } from '../output.ts'
import { printable } from '../prompt.ts'

/** Options of `ferry discover`. */
export interface DiscoverOptions {
  dataDir?: string
  /** Seconds to listen (commander passes a string). */
  timeout?: string
  json?: boolean
}

/**
 * `ferry discover`: lists the Ferry peers that answer on the LAN (mDNS) within `--timeout` seconds (default 3), each
 * once as it is found (`peer` event: peer ID, addresses, contact name if known), then a `done` event. It needs no
 * relay. Exit 0 (also when nobody answered).
 */
export async function discoverCommand (options: DiscoverOptions, out: Output): Promise<number> {
  if (!mdnsOf()) throw new ConfigError(`LAN discovery (mDNS) is turned off by ${ENV_NAMES.mdns}`)
  const seconds = Number(options.timeout ?? 3)
  if (!Number.isFinite(seconds) || seconds <= 0) throw new ConfigError(`--timeout must be a positive number of seconds, not "${options.timeout}"`)
  const signal = interruptSignal()
  const dataDir = dataDirOf(options)
  // Listens on nothing: it asks, and peers answer to the multicast group; it is not itself announced.
  const peer = await startPeer({ dataDir, downloadDir: dataDir, relays: [], iceServers: [], acceptIncoming: false, discovery: { mdns: true } })
  const lan = peer.lan
  if (lan == null) throw new Error('mDNS discovery did not start')
  const shown = new Set<string>()
  try {
    const show = (p: LanPeer): void => {
      if (shown.has(p.peerId) || p.peerId === peer.peerId) return
      shown.add(p.peerId)
      const contact = peer.store.contacts.get(p.peerId)
      out.event({ event: 'peer', peerId: p.peerId, addrs: p.addrs, contact: contact?.name ?? null, trusted: contact?.trusted ?? false },
        `${contact == null ? '(not a contact)' : printable(contact.name)}  ${p.peerId}  ${p.addrs.join(' ')}`)
    }
    lan.on('peer', show)
    for (const p of lan.peers()) show(p)
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, seconds * 1000)
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
    out.event({ event: 'done', count: shown.size }, shown.size === 0 ? 'No Ferry peer answered on this network.' : `${shown.size} peer(s) found.`)
  } finally {
    await peer.stop()
  }
  return signal.aborted ? 130 : 0
}
