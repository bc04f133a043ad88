import QRCode from 'qrcode'
import { localInvite } from '../../app/index.ts'
import { dataDirOf, networkOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import type { Output } from '../output.ts'
import { t } from '../../text/index.ts'

/** Options of `ferry invite`. */
export interface InviteOptions extends PeerOptions {
  /** The display name the invite carries (default: this computer's host name). */
  name?: string
}

/**
 * `ferry invite`: prints this peer's `ferry:` invite (the app layer's `localInvite`) — its peer ID, its relays
 * (`--relay` / `FERRY_RELAYS`, at most four), a display name and the kind of device — as text and as a QR code for the terminal. Another
 * person adds it with `ferry contacts add '<invite>'`. Starts no network node.
 */
export async function inviteCommand (options: InviteOptions, out: Output): Promise<number> {
  const { invite, peerId, name, device, relays } = await localInvite(dataDirOf(options), { name: options.name, relays: networkOf(options).relays })
  const qr = out.json ? '' : await QRCode.toString(invite, { type: 'terminal', small: true })
  out.event({ event: 'invite', invite, peerId, name, device, relays },
    `${qr}\n${invite}\n\n${t('cli.invite.share', { command: `ferry contacts add '${invite}'` })}`)
  return 0
}
