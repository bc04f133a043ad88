/**
 * This device's `ferry:` invite, the same in every host: its peer ID, at most `MAX_INVITE_RELAYS` of its relays, and
 * a display name (`contacts.encodeInvite`). "My ID" in the app (./identity.ts) and `ferry invite` both make it here.
 */
import { hostname } from 'node:os'
import { encodeInvite, MAX_INVITE_RELAYS, MAX_NAME_LENGTH } from '../core/contacts/index.ts'
import { localPeerId } from './local-data.ts'

/** The invite text of `peerId` named `name` with (the first `MAX_INVITE_RELAYS` of) `relays`. @throws {InvalidInviteError} */
export function inviteText (peerId: string, name: string | undefined, relays: readonly string[]): string {
  return encodeInvite({ peerId, ...(name == null ? {} : { name }), relays: relays.slice(0, MAX_INVITE_RELAYS) })
}

/** The invite of the data directory `dataDir` (its identity is made when missing), with what it carries. */
export interface LocalInvite {
  invite: string
  peerId: string
  name: string
  relays: string[]
}

/**
 * The invite of `dataDir`'s identity, named `name` (default: this computer's host name, else `Ferry`; cut to
 * `MAX_NAME_LENGTH`), with the first `MAX_INVITE_RELAYS` of `relays`. Starts no network node.
 * @throws {InvalidInviteError} (`invalid-invite`) for a name or relay an invite cannot carry
 */
export async function localInvite (dataDir: string, options: { name?: string, relays: readonly string[] }): Promise<LocalInvite> {
  const peerId = await localPeerId(dataDir)
  const relays = options.relays.slice(0, MAX_INVITE_RELAYS)
  const name = (options.name ?? (hostname() === '' ? 'Ferry' : hostname())).slice(0, MAX_NAME_LENGTH)
  return { invite: inviteText(peerId, name, relays), peerId, name, relays }
}
