/**
 * `ferry:` invites: a peer's identity and how to reach it, as one line of text (and a QR code of it):
 *
 * ```
 * ferry:12D3KooW…?name=Alice%27s+laptop&device=laptop&relay=%2Fip4%2F203.0.113.1%2Ftcp%2F4001%2Fp2p%2F12D3KooW…
 * ```
 *
 * The path is the peer ID; `name` (optional, once) is the display name; `device` (optional) is the kind of device
 * (`desktop`, `laptop` or `server`: the protocol's `DEVICE_KINDS`), shown as an icon — a value outside that list, or
 * the parameter given more than once, is ignored (read as absent), never refused, so a later version can add kinds;
 * `relay` (0–4 times) is a relay multiaddr ending in `/p2p/<relay peer ID>`. Unknown parameters are ignored, so later
 * versions can add some (and invites with `device` still work with versions that predate it). Nothing in an
 * invite is trusted beyond "this is who the person says to add": the connection's Noise handshake proves the peer ID,
 * and both people can compare the pair's fingerprint (./fingerprint.ts) to be sure the invite was not swapped.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { INVITE_SCHEME, MAX_INVITE_LENGTH, MAX_INVITE_RELAYS, MAX_NAME_LENGTH, MAX_RELAY_ADDR_LENGTH } from './constants.ts'
import { InvalidInviteError } from './errors.ts'
import { DEVICE_KINDS, isDeviceKind } from '../protocol/index.ts'
import type { DeviceKind } from '../protocol/index.ts'
import { hasUnsafeCharacters } from '../../text/index.ts'

/** What an invite says: the peer ID, its display name and kind of device if any, and relays it can be reached through. */
export interface Invite {
  peerId: string
  name?: string
  device?: DeviceKind
  relays: string[]
}

/** Whether `text` is a valid peer ID (its string form). */
export function isPeerId (text: string): boolean {
  try {
    peerIdFromString(text)
    return true
  } catch {
    return false
  }
}

function isRelayAddr (text: string): boolean {
  try {
    const components = multiaddr(text).getComponents()
    const last = components.at(-1)
    return last?.name === 'p2p' && last.value != null && isPeerId(last.value) && !components.some(c => c.name === 'p2p-circuit')
  } catch {
    return false
  }
}

/** A display or contact name: 1–64 characters after trimming, no control or bidirectional-override characters. */
export const ContactNameSchema = z.string().trim().min(1).max(MAX_NAME_LENGTH)
  .refine(n => !hasUnsafeCharacters(n), 'the name contains control or invisible characters')

/** The schema every invite passes, encoded or decoded. */
export const InviteSchema = z.object({
  peerId: z.string().refine(isPeerId, 'not a peer ID'),
  name: ContactNameSchema.optional(),
  device: z.enum(DEVICE_KINDS).optional(),
  relays: z.array(z.string().max(MAX_RELAY_ADDR_LENGTH).refine(isRelayAddr, 'a relay is not a multiaddr ending in /p2p/<relay peer ID>'))
    .max(MAX_INVITE_RELAYS)
}).strict()

function validated (input: unknown): Invite {
  const parsed = InviteSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidInviteError(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`)
  }
  const { peerId, name, device, relays } = parsed.data
  return { peerId, ...(name == null ? {} : { name }), ...(device == null ? {} : { device }), relays }
}

/**
 * The invite text of `invite` (validated first).
 * @throws {InvalidInviteError} when a field breaks the schema or the text would exceed {@link MAX_INVITE_LENGTH}
 */
export function encodeInvite (invite: Invite): string {
  const valid = validated(invite)
  const params = new URLSearchParams()
  if (valid.name != null) params.set('name', valid.name)
  if (valid.device != null) params.set('device', valid.device)
  for (const relay of valid.relays) params.append('relay', relay)
  const query = params.toString()
  const text = `${INVITE_SCHEME}${valid.peerId}${query === '' ? '' : `?${query}`}`
  if (text.length > MAX_INVITE_LENGTH) throw new InvalidInviteError(`longer than ${MAX_INVITE_LENGTH} characters`)
  return text
}

/**
 * Parses and validates invite text (surrounding white space is ignored; the scheme is case-insensitive).
 * @throws {InvalidInviteError} when it is not a valid invite
 */
export function decodeInvite (text: string): Invite {
  const trimmed = text.trim()
  if (trimmed.length > MAX_INVITE_LENGTH) throw new InvalidInviteError(`longer than ${MAX_INVITE_LENGTH} characters`)
  if (!trimmed.toLowerCase().startsWith(INVITE_SCHEME)) throw new InvalidInviteError(`it does not start with "${INVITE_SCHEME}"`)
  const rest = trimmed.slice(INVITE_SCHEME.length)
  const q = rest.indexOf('?')
  const peerId = q < 0 ? rest : rest.slice(0, q)
  let params: URLSearchParams
  try {
    params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1))
  } catch (err) {
    throw new InvalidInviteError('the parameters cannot be read', { cause: err })
  }
  const names = params.getAll('name')
  if (names.length > 1) throw new InvalidInviteError('more than one name')
  const devices = params.getAll('device')
  const device = devices.length === 1 && isDeviceKind(devices[0]) ? devices[0] : undefined
  return validated({ peerId, relays: params.getAll('relay'), ...(names[0] == null ? {} : { name: names[0] }), ...(device == null ? {} : { device }) })
}

/** Whether `text` looks like an invite (starts with `ferry:`), as opposed to a bare peer ID. */
export function isInviteText (text: string): boolean {
  return text.trim().toLowerCase().startsWith(INVITE_SCHEME)
}
