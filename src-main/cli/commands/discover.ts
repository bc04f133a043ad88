import { ConfigError } from '../../core/index.ts'
import { discoverLan, ENV_NAMES } from '../../app/index.ts'
import { dataDirOf, interruptSignal, mdnsOf } from '../options.ts'
import type { Output } from '../output.ts'
import { printable } from '../prompt.ts'
import { t } from '../../text/index.ts'

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
 * relay (the app layer's `discoverLan`). Exit 0 (also when nobody answered).
 */
export async function discoverCommand (options: DiscoverOptions, out: Output): Promise<number> {
  if (!mdnsOf()) throw new ConfigError(t('cli.discover.mdnsOff', { variable: ENV_NAMES.mdns }))
  const seconds = Number(options.timeout ?? 3)
  if (!Number.isFinite(seconds) || seconds <= 0) throw new ConfigError(t('cli.discover.badTimeout', { value: String(options.timeout) }))
  const signal = interruptSignal()
  const count = await discoverLan(dataDirOf(options), seconds * 1000, (p) => {
    out.event({ event: 'peer', peerId: p.peerId, addrs: p.addrs, contact: p.contact, trusted: p.trusted },
      `${p.contact == null ? t('cli.discover.notContact') : printable(p.contact)}  ${p.peerId}  ${p.addrs.join(' ')}`)
  }, signal)
  out.event({ event: 'done', count }, count === 0 ? t('cli.discover.none') : t('cli.discover.found', { count }))
  return signal.aborted ? 130 : 0
}
