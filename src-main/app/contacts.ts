/**
 * The contact calls: add from an invite or from the LAN, rename / trust / block, remove, fingerprint. Each changes the
 * store (`store.contacts`) through the core contacts module and refreshes the peer list.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { ApiError } from '../api/index.ts'
import type { PeerView, Requests } from '../api/index.ts'
import { ContactNameSchema, contactFromInvite, decodeInvite, fingerprint, isDirectTcp, withPeerId } from '../core/contacts/index.ts'
import type { AppState } from './app.ts'
import { toApiError } from './errors.ts'

/**
 * A name from a request, checked like invite names (no control or invisible characters).
 * @throws {ApiError} `invalid-request`
 */
function checkedName (name: string | undefined): string | undefined {
  if (name == null) return undefined
  const parsed = ContactNameSchema.safeParse(name)
  if (!parsed.success) throw new ApiError('invalid-request', `The name is not usable: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}

function viewOf (app: AppState, peerId: string): PeerView {
  app.peers.changed()
  const view = app.peers.get(peerId)
  if (view == null) throw new ApiError('internal', 'The contact was saved but cannot be listed')
  return view
}

/**
 * Adds (or updates) the contact an invite describes; `name` overrides the invite's.
 * @throws {ApiError} `invalid-invite` for text that is not a valid invite, or this device's own invite
 */
export function addContact (app: AppState, req: Requests['addContact']): PeerView {
  let invite
  try {
    invite = decodeInvite(req.invite)
  } catch (err) {
    throw toApiError(err)
  }
  if (invite.peerId === app.peer.peerId) throw new ApiError('invalid-invite', 'This is your own invite: give it to the person who should add you')
  const store = app.peer.store
  store.contacts.upsert(contactFromInvite(invite, { name: checkedName(req.name), existing: store.contacts.get(invite.peerId) }))
  void app.presence.check(invite.peerId).catch(() => {})
  return viewOf(app, invite.peerId)
}

/**
 * Adds a peer found on the LAN as a contact, with the direct addresses it announced.
 * @throws {ApiError} `not-nearby` when it is not (or no longer) found on the LAN
 */
export function addNearby (app: AppState, req: Requests['addNearby']): PeerView {
  const lanPeer = app.peer.lan?.get(req.peerId)
  if (lanPeer == null) throw new ApiError('not-nearby', 'This device is no longer found on your network; add it with its invite instead')
  const store = app.peer.store
  const existing = store.contacts.get(req.peerId)
  const addrs = lanPeer.addrs.filter(isDirectTcp).map(a => withPeerId(a, req.peerId))
  store.contacts.upsert({
    peerId: req.peerId,
    name: checkedName(req.name) ?? existing?.name ?? app.peers.nameOf(req.peerId),
    addrs: [...new Set([...addrs, ...existing?.addrs ?? []])]
  })
  void app.presence.check(req.peerId).catch(() => {})
  return viewOf(app, req.peerId)
}

/**
 * Renames, trusts/untrusts, blocks/unblocks a contact. Blocking also declines its offers waiting for an answer, ends
 * its transfers in progress and closes every open connection to the peer at once (the connection gater refuses new
 * ones, and every offer is checked again).
 * @throws {ApiError} `unknown-contact` when the peer is not a contact
 */
export async function updateContact (app: AppState, req: Requests['updateContact']): Promise<PeerView> {
  const store = app.peer.store
  const contact = store.contacts.get(req.peerId)
  if (contact == null) throw new ApiError('unknown-contact', 'This peer is not a contact; add it first')
  const name = checkedName(req.name)
  if (name != null) store.contacts.rename(req.peerId, name)
  if (req.trusted != null) store.contacts.setTrusted(req.peerId, req.trusted)
  if (req.blocked != null) store.contacts.setBlocked(req.peerId, req.blocked)
  if (req.blocked === true) {
    for (const offer of app.offers.list()) if (offer.peerId === req.peerId) app.offers.answer(offer.transferId, false)
    await app.peer.cutOff(req.peerId)
  } else if (req.blocked === false) {
    void app.presence.check(req.peerId).catch(() => {})
  }
  return viewOf(app, req.peerId)
}

/** Removes a contact (its transfer history stays). */
export function removeContact (app: AppState, req: Requests['removeContact']): { removed: boolean } {
  const removed = app.peer.store.contacts.remove(req.peerId)
  app.peers.changed()
  return { removed }
}

/**
 * The fingerprint both people compare: the same digits on both sides means nobody swapped an invite.
 * @throws {ApiError} `invalid-request` for a string that is not a peer ID
 */
export function getFingerprint (app: AppState, req: Requests['getFingerprint']): { fingerprint: string } {
  try {
    peerIdFromString(req.peerId)
  } catch {
    throw new ApiError('invalid-request', 'Not a peer ID')
  }
  return { fingerprint: fingerprint(app.peer.peerId, req.peerId) }
}
