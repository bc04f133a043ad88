/**
 * The contact calls: add from an invite or from the LAN, rename / trust / block, remove, fingerprint. Each changes the
 * contacts through the {@link ContactBook} `ferry contacts` uses too, then does what a running app adds (presence
 * checks, cutting off a blocked peer) and refreshes the peer list.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { ApiError } from '../api/index.ts'
import type { PeerView, Requests } from '../api/index.ts'
import { fingerprint, isDirectTcp, withPeerId } from '../core/contacts/index.ts'
import type { AppState } from './app.ts'
import { checkedName, ContactBook } from './contact-book.ts'
import { toApiError } from './errors.ts'
import { t } from '../text/index.ts'

/** The running peer's contacts (./contact-book.ts: the operations `ferry contacts` runs too). */
function bookOf (app: AppState): ContactBook {
  return new ContactBook(app.peer.store, app.peer.peerId)
}

/** Runs `fn`, every error as an {@link ApiError}. */
function api<T> (fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw toApiError(err)
  }
}

function viewOf (app: AppState, peerId: string): PeerView {
  app.peers.changed()
  const view = app.peers.get(peerId)
  if (view == null) throw new ApiError('internal', t('app.contactNotListed'))
  return view
}

/**
 * Adds (or updates) the contact an invite (or a bare peer ID) describes; `name` overrides the invite's.
 * @throws {ApiError} `invalid-invite` for text that is not a valid invite, or this device's own invite;
 *   `invalid-request` for an unusable name
 */
export function addContact (app: AppState, req: Requests['addContact']): PeerView {
  const { contact } = api(() => bookOf(app).add(req.invite, { name: req.name }))
  void app.presence.check(contact.peerId).catch(() => {})
  return viewOf(app, contact.peerId)
}

/**
 * Adds a peer found on the LAN as a contact, with the direct addresses it announced.
 * @throws {ApiError} `not-nearby` when it is not (or no longer) found on the LAN
 */
export function addNearby (app: AppState, req: Requests['addNearby']): PeerView {
  const lanPeer = app.peer.lan?.get(req.peerId)
  if (lanPeer == null) throw new ApiError('not-nearby', t('app.notNearby'))
  const store = app.peer.store
  const existing = store.contacts.get(req.peerId)
  const addrs = lanPeer.addrs.filter(isDirectTcp).map(a => withPeerId(a, req.peerId))
  store.contacts.upsert({
    peerId: req.peerId,
    name: api(() => checkedName(req.name)) ?? existing?.name ?? app.peers.nameOf(req.peerId),
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
  const book = bookOf(app)
  const { peerId } = api(() => book.find(req.peerId))
  api(() => {
    if (req.name != null) book.rename(peerId, req.name)
    if (req.trusted != null) book.setTrusted(peerId, req.trusted)
    if (req.blocked != null) book.setBlocked(peerId, req.blocked)
  })
  if (req.blocked === true) {
    for (const offer of app.offers.list()) if (offer.peerId === peerId) app.offers.answer(offer.transferId, false)
    await app.peer.cutOff(peerId)
  } else if (req.blocked === false) {
    void app.presence.check(peerId).catch(() => {})
  }
  return viewOf(app, peerId)
}

/** Removes a contact (its transfer history stays); `removed: false` when it was none. */
export function removeContact (app: AppState, req: Requests['removeContact']): { removed: boolean } {
  let removed = true
  try {
    bookOf(app).remove(req.peerId)
  } catch (err) {
    if ((err as { code?: string }).code !== 'unknown-contact') throw toApiError(err)
    removed = false
  }
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
    throw new ApiError('invalid-request', t('app.notAPeerId'))
  }
  return { fingerprint: fingerprint(app.peer.peerId, req.peerId) }
}
