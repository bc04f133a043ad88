/**
 * This device's `ferry:` invite, the same in every host: its peer ID, at most `MAX_INVITE_RELAYS` of its relays, and
 * a display name (`contacts.encodeInvite`). "My ID" in the app (./identity.ts) and `ferry invite` both make it here.
 */
import { encodeInvite, MAX_INVITE_RELAYS } from '../core/contacts/index.ts'
import type { DeviceKind } from '../core/index.ts'
import { defaultDeviceKind, defaultDeviceName, readDeviceFacts } from './device.ts'
import { localPeerId } from './local-data.ts'

/**
 * The invite text of `peerId` named `name`, of kind `device`, with (the first `MAX_INVITE_RELAYS` of) `relays`.
 * @throws {InvalidInviteError}
 */
export function inviteText (peerId: string, name: string | undefined, relays: readonly string[], device?: DeviceKind): string {
  return encodeInvite({ peerId, ...(name == null ? {} : { name }), ...(device == null ? {} : { device }), relays: relays.slice(0, MAX_INVITE_RELAYS) })
}

/** The invite of the data directory `dataDir` (its identity is made when missing), with what it carries. */
export interface LocalInvite {
  invite: string
  peerId: string
  name: string
  device: DeviceKind
  relays: string[]
}

/**
 * The invite of `dataDir`'s identity, named `name` (default: this device's default name, ./device.ts), of this device's
 * default kind, with the first `MAX_INVITE_RELAYS` of `relays`. Starts no network node.
 * @throws {InvalidInviteError} (`invalid-invite`) for a name or relay an invite cannot carry
 */
export async function localInvite (dataDir: string, options: { name?: string, relays: readonly string[] }): Promise<LocalInvite> {
  const peerId = await localPeerId(dataDir)
  const relays = options.relays.slice(0, MAX_INVITE_RELAYS)
  const facts = await readDeviceFacts(false)
  const name = options.name ?? defaultDeviceName(facts)
  const device = defaultDeviceKind(facts)
  return { invite: inviteText(peerId, name, relays, device), peerId, name, device, relays }
}
