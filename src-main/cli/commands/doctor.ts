import { checkNetwork } from '../../core/index.ts'
import { networkCheckView } from '../../app/index.ts'
import { interruptSignal, networkOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import type { Output } from '../output.ts'
import { t } from '../../text/index.ts'

/** Options of `ferry doctor`: the relays and ICE servers to check (else `FERRY_RELAYS` / `FERRY_ICE_SERVERS` / the defaults). */
export type DoctorOptions = Pick<PeerOptions, 'relay' | 'iceServers' | 'json'>

/**
 * `ferry doctor`: checks the network (core `checkNetwork`, docs/CONNECTIVITY.md "Network check") and prints what it
 * found and what that means for reaching people. JSON events: one `relay` per configured relay, one `stun` per STUN
 * server, then `network` with the whole result (`udp`, `mapping`, `upnp`, `reach`, `headline`, `details`). Exit 0 when
 * the check ran, whatever it found; 130 when interrupted.
 */
export async function doctorCommand (options: DoctorOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  const net = networkOf(options)
  if (!out.json) process.stdout.write(`${t('cli.doctor.checking', { relays: net.relays.length, iceServers: net.iceServers.length })}\n`)
  let view
  try {
    view = networkCheckView(await checkNetwork(net, { signal }))
  } catch (err) {
    if (signal.aborted) return 130
    throw err
  }
  for (const relay of view.relays) out.event({ event: 'relay', ...relay })
  for (const stun of view.stun) out.event({ event: 'stun', ...stun })
  out.event({ event: 'network', ...view }, [...view.details, '', view.headline].join('\n'))
  return 0
}
