import { withLocalData } from '../../app/index.ts'
import type { ContactEntry } from '../../app/index.ts'
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
 * `ferry contacts list|add|rename|trust|block|remove`: the app layer's contact book on the data directory (no peer is
 * started). Each prints the contact (one `contact` event) with the fingerprint both sides can compare. A contact is
 * named by its name or peer ID.
 */
export async function contactsCommand (what: ContactsAction, options: ContactsOptions, out: Output): Promise<number> {
  return withLocalData(dataDirOf(options), ({ contacts }) => {
    const show = (c: ContactEntry, verb?: string): void => {
      const flags = [c.trusted ? 'trusted' : '', c.blocked ? 'blocked' : ''].filter(f => f !== '').join(', ')
      const seen = c.lastSeenAt == null ? 'never seen' : `last seen ${new Date(c.lastSeenAt).toISOString()}`
      out.event({ event: 'contact', ...c, ...(verb == null ? {} : { action: verb }) },
        `${verb == null ? '' : `${verb}: `}${printable(c.name)}  ${c.peerId}${flags === '' ? '' : `  [${flags}]`}\n  fingerprint ${c.fingerprint}  ·  ${seen}`)
    }
    switch (what.action) {
      case 'list': {
        const list = contacts.list()
        for (const c of list) show(c)
        if (list.length === 0) out.event({ event: 'empty' }, 'No contacts yet. Add one with `ferry contacts add <invite>`.')
        return 0
      }
      case 'add': {
        const { contact, added } = contacts.add(what.invite, { name: what.name, trusted: what.trusted })
        show(contact, added ? 'added' : 'updated')
        if (!out.json) process.stdout.write('Compare this fingerprint with the one they see for you; if it differs, remove the contact.\n')
        return 0
      }
      case 'rename':
        show(contacts.rename(what.contact, what.name), 'renamed')
        return 0
      case 'trust':
        show(contacts.setTrusted(what.contact, what.off !== true), what.off === true ? 'no longer trusted' : 'trusted (offers accepted without asking)')
        return 0
      case 'block':
        show(contacts.setBlocked(what.contact, what.off !== true), what.off === true ? 'unblocked' : 'blocked (connections refused; a running ferry receive cuts it off within 2 s)')
        return 0
      case 'remove': {
        const peerId = contacts.remove(what.contact)
        out.event({ event: 'removed', peerId }, `Removed ${peerId}.`)
        return 0
      }
    }
  })
}
