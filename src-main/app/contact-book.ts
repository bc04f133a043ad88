/**
 * The contacts operations every host offers — list, add from an invite or a bare peer ID, rename, trust, block,
 * remove — on a store, with a contact named by its name or its peer ID (a valid peer ID always means that peer:
 * `contacts.resolveContact`). The app's contact calls (./contacts.ts) and `ferry contacts …` both use a
 * {@link ContactBook}; what else a running app does on top (presence checks, cutting off a blocked peer, the peer
 * list) stays with the app.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import {
  ContactNameSchema, contactFromInvite, decodeInvite, fingerprint, InvalidInviteError, isInviteText, relaysOf, resolveContact
} from '../core/contacts/index.ts'
import { FerryError } from '../core/index.ts'
import type { Contact, Store } from '../core/store/index.ts'
import { t } from '../text/index.ts'

/** A contact as hosts show it: the stored contact, its relays, and the fingerprint both people compare. */
export interface ContactEntry extends Contact {
  /** The relays (multiaddrs ending in `/p2p/<relay>`) it is reached through. */
  relays: string[]
  /** Five groups of four digits, the same on both sides (`contacts.fingerprint`). */
  fingerprint: string
}

/** A name or peer ID that is not a contact. Code `unknown-contact`. */
export class NotAContactError extends FerryError {
  static override name = 'NotAContactError'
  constructor (nameOrId: string) {
    super('unknown-contact', t('app.notAContact', { who: nameOrId }))
  }
}

/** An invite of this device itself. Code `invalid-invite`. */
export class OwnInviteError extends FerryError {
  static override name = 'OwnInviteError'
  constructor () {
    super('invalid-invite', t('app.ownInvite'))
  }
}

/** A contact name with control or invisible characters, empty, or too long. Code `invalid-request`. */
export class InvalidNameError extends FerryError {
  static override name = 'InvalidNameError'
  constructor (reason: string) {
    super('invalid-request', t('app.nameUnusable', { reason }))
  }
}

/**
 * A name checked like invite names (`contacts.ContactNameSchema`: no control or invisible characters, at most 64).
 * @throws {InvalidNameError}
 */
export function checkedName (name: string): string
export function checkedName (name: string | undefined): string | undefined
export function checkedName (name: string | undefined): string | undefined {
  if (name == null) return undefined
  const parsed = ContactNameSchema.safeParse(name)
  if (!parsed.success) throw new InvalidNameError(parsed.error.issues[0]?.message ?? 'invalid')
  return parsed.data
}

/** The contacts of one store, seen from this device (`me`, its peer ID). */
export class ContactBook {
  private readonly store: Pick<Store, 'contacts'>
  private readonly me: string

  constructor (store: Pick<Store, 'contacts'>, me: string) {
    this.store = store
    this.me = me
  }

  /** Every contact, by name. */
  list (): ContactEntry[] {
    return this.store.contacts.list().map(c => this.entryOf(c))
  }

  /** A contact as hosts show it. */
  entryOf (contact: Contact): ContactEntry {
    return { ...contact, relays: relaysOf(contact), fingerprint: fingerprint(this.me, contact.peerId) }
  }

  /**
   * Adds (or updates) the contact a `ferry:` invite or a bare peer ID names; `name` overrides the invite's, `trusted`
   * trusts it. Returns the contact and whether it is new.
   * @throws {InvalidInviteError} (`invalid-invite`) for text that is neither a valid invite nor a peer ID
   * @throws {OwnInviteError} (`invalid-invite`) for this device's own invite
   * @throws {InvalidNameError} (`invalid-request`) for an unusable `name`
   */
  add (text: string, options: { name?: string, trusted?: boolean } = {}): { contact: ContactEntry, added: boolean } {
    const invite = isInviteText(text) ? decodeInvite(text) : { peerId: peerIdOf(text), relays: [] }
    if (invite.peerId === this.me) throw new OwnInviteError()
    const name = checkedName(options.name)
    const existing = this.store.contacts.get(invite.peerId)
    const saved = this.store.contacts.upsert({ ...contactFromInvite(invite, { name, existing }), ...(options.trusted === true ? { trusted: true } : {}) })
    return { contact: this.entryOf(saved), added: existing == null }
  }

  /**
   * The contact named by `nameOrId` (its name, case-insensitively, or its peer ID).
   * @throws {NotAContactError} (`unknown-contact`) when there is none
   * @throws {AmbiguousContactError} (`ambiguous-contact`) when several contacts have that name
   */
  find (nameOrId: string): Contact {
    let found
    try {
      found = resolveContact(this.store, nameOrId)
    } catch (err) {
      if ((err as { code?: string }).code === 'unknown-contact') throw new NotAContactError(nameOrId)
      throw err
    }
    if (found.contact == null) throw new NotAContactError(found.peerId)
    return found.contact
  }

  /** Renames a contact. @throws the errors of {@link find}; {@link InvalidNameError} */
  rename (nameOrId: string, name: string): ContactEntry {
    const checked = checkedName(name)
    return this.entryOf(this.store.contacts.rename(this.find(nameOrId).peerId, checked))
  }

  /** Trusts (its offers are accepted without asking) or stops trusting a contact. @throws the errors of {@link find} */
  setTrusted (nameOrId: string, trusted: boolean): ContactEntry {
    return this.entryOf(this.store.contacts.setTrusted(this.find(nameOrId).peerId, trusted))
  }

  /**
   * Blocks (every connection refused; a running peer cuts it off within `BLOCK_CHECK_INTERVAL_MS`) or unblocks a
   * contact. @throws the errors of {@link find}
   */
  setBlocked (nameOrId: string, blocked: boolean): ContactEntry {
    return this.entryOf(this.store.contacts.setBlocked(this.find(nameOrId).peerId, blocked))
  }

  /** Removes a contact (its transfer history stays); returns its peer ID. @throws the errors of {@link find} */
  remove (nameOrId: string): string {
    const { peerId } = this.find(nameOrId)
    this.store.contacts.remove(peerId)
    return peerId
  }
}

/** The peer ID `text` is. @throws {InvalidInviteError} when it is none */
function peerIdOf (text: string): string {
  try {
    return peerIdFromString(text.trim()).toString()
  } catch (err) {
    throw new InvalidInviteError(t('app.notAnInvite', { text }), { cause: err })
  }
}
