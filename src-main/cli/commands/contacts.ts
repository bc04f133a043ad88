import { join } from 'node:path'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { DATABASE_FILE, loadOrCreateIdentity } from '../../core/index.ts'
import {
  ContactNameSchema, contactFromInvite, decodeInvite, fingerprint, isInviteText, relaysOf, resolveContact
} from '../../core/contacts/index.ts'
import { ContactNotFoundError, openStore } from '../../core/store/index.ts'
import type { Contact, Store } from '../../core/store/index.ts'
import { ConfigError } from '../../core/config/index.ts'
import { dataDirOf } from '../options.ts'
import type { Output } from '../output.ts'
import { printable } from '../prompt.ts'

/** Options every `ferry contacts` subcommand takes. */
export interface ContactsOptions {
  dataDir?: string
  json?: boolean
}

/** What `ferry contacts <action>` does, with its arguments. */
export type ContactsAction =
  | { action: 'list' }
  | { action: 'add', invite: string, name?: string, trusted?: boolean }
  | { action: 'rename', contact: string, name: string }
  | { action: 'trust', contact: string, off?: boolean }
  | { action: 'block', contact: string, off?: boolean }
  | { action: 'remove', contact: string }

/**
 * `ferry contacts list|add|rename|trust|block|remove`: edits the contacts in SQLite. Each prints the contact (one
 * `contact` event) with the fingerprint both sides can compare. A contact is named by its name or peer ID.
 */
export async function contactsCommand (what: ContactsAction, options: ContactsOptions, out: Output): Promise<number> {
  const dataDir = dataDirOf(options)
  const me = peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString()
  const store = openStore(join(dataDir, DATABASE_FILE))
  try {
    const show = (c: Contact, verb?: string): void => {
      const fp = fingerprint(me, c.peerId)
      const flags = [c.trusted ? 'trusted' : '', c.blocked ? 'blocked' : ''].filter(f => f !== '').join(', ')
      const seen = c.lastSeenAt == null ? 'never seen' : `last seen ${new Date(c.lastSeenAt).toISOString()}`
      out.event({ event: 'contact', ...c, relays: relaysOf(c), fingerprint: fp, ...(verb == null ? {} : { action: verb }) },
        `${verb == null ? '' : `${verb}: `}${printable(c.name)}  ${c.peerId}${flags === '' ? '' : `  [${flags}]`}\n  fingerprint ${fp}  ·  ${seen}`)
    }
    switch (what.action) {
      case 'list': {
        const contacts = store.contacts.list()
        for (const c of contacts) show(c)
        if (contacts.length === 0) out.event({ event: 'empty' }, 'No contacts yet. Add one with `ferry contacts add <invite>`.')
        return 0
      }
      case 'add': {
        const invite = isInviteText(what.invite) ? decodeInvite(what.invite) : { peerId: peerIdOf(what.invite), relays: [] }
        if (invite.peerId === me) throw new ConfigError('That invite is your own')
        const name = what.name == null ? undefined : nameOf(what.name)
        const existing = store.contacts.get(invite.peerId)
        const added = store.contacts.upsert({ ...contactFromInvite(invite, { name, existing }), ...(what.trusted === true ? { trusted: true } : {}) })
        show(added, existing == null ? 'added' : 'updated')
        if (!out.json) process.stdout.write('Compare this fingerprint with the one they see for you; if it differs, remove the contact.\n')
        return 0
      }
      case 'rename':
        show(store.contacts.rename(mustFind(store, what.contact), nameOf(what.name)), 'renamed')
        return 0
      case 'trust':
        show(store.contacts.setTrusted(mustFind(store, what.contact), what.off !== true), what.off === true ? 'no longer trusted' : 'trusted (offers accepted without asking)')
        return 0
      case 'block':
        show(store.contacts.setBlocked(mustFind(store, what.contact), what.off !== true), what.off === true ? 'unblocked' : 'blocked (connections refused; a running ferry receive cuts it off within 2 s)')
        return 0
      case 'remove': {
        const peerId = mustFind(store, what.contact)
        store.contacts.remove(peerId)
        out.event({ event: 'removed', peerId }, `Removed ${peerId}.`)
        return 0
      }
    }
  } finally {
    store.close()
  }
}

/** The peer ID of an existing contact named by name or peer ID. @throws {ContactNotFoundError} */
function mustFind (store: Store, nameOrId: string): string {
  let found
  try {
    found = resolveContact(store, nameOrId)
  } catch (err) {
    if ((err as { code?: string }).code === 'unknown-contact') throw new ContactNotFoundError(nameOrId)
    throw err
  }
  if (found.contact == null) throw new ContactNotFoundError(found.peerId)
  return found.peerId
}

function peerIdOf (text: string): string {
  try {
    return peerIdFromString(text.trim()).toString()
  } catch (err) {
    throw new ConfigError(`"${text}" is neither a ferry: invite nor a peer ID`, { cause: err })
  }
}

function nameOf (text: string): string {
  const parsed = ContactNameSchema.safeParse(text)
  if (!parsed.success) throw new ConfigError(`Not a usable name: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}
