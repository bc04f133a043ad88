import { withLocalData } from '../../app/index.ts'
import type { ContactEntry } from '../../app/index.ts'
import { dataDirOf } from '../options.ts'
import type { Output } from '../output.ts'
import { printable } from '../prompt.ts'
import { t } from '../../text/index.ts'
import type { MessageKey } from '../../text/index.ts'

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
    // `verb` is the JSON event's `action` (an API: stays English); `words` says it to the person.
    const show = (c: ContactEntry, verb?: string, words?: MessageKey): void => {
      const flags = [c.trusted ? t('cli.contacts.trusted') : '', c.blocked ? t('cli.contacts.blocked') : ''].filter(f => f !== '').join(', ')
      const seen = c.lastSeenAt == null ? t('cli.contacts.neverSeen') : t('cli.contacts.lastSeen', { time: new Date(c.lastSeenAt).toISOString() })
      const line = t('cli.contacts.line', { name: printable(c.name), peerId: c.peerId, flags: flags === '' ? '' : `  [${flags}]`, fingerprint: c.fingerprint, seen })
      out.event({ event: 'contact', ...c, ...(verb == null ? {} : { action: verb }) },
        words == null ? line : t('cli.contacts.action', { action: t(words), line }))
    }
    switch (what.action) {
      case 'list': {
        const list = contacts.list()
        for (const c of list) show(c)
        if (list.length === 0) out.event({ event: 'empty' }, t('cli.contacts.empty'))
        return 0
      }
      case 'add': {
        const { contact, added } = contacts.add(what.invite, { name: what.name, trusted: what.trusted })
        show(contact, added ? 'added' : 'updated', added ? 'cli.contacts.added' : 'cli.contacts.updated')
        if (!out.json) process.stdout.write(`${t('cli.contacts.compare')}\n`)
        return 0
      }
      case 'rename':
        show(contacts.rename(what.contact, what.name), 'renamed', 'cli.contacts.renamed')
        return 0
      case 'trust':
        show(contacts.setTrusted(what.contact, what.off !== true), what.off === true ? 'no longer trusted' : 'trusted (offers accepted without asking)',
          what.off === true ? 'cli.contacts.untrusted' : 'cli.contacts.trustedNow')
        return 0
      case 'block':
        show(contacts.setBlocked(what.contact, what.off !== true), what.off === true ? 'unblocked' : 'blocked (connections refused; a running ferry receive cuts it off within 2 s)',
          what.off === true ? 'cli.contacts.unblocked' : 'cli.contacts.blockedNow')
        return 0
      case 'remove': {
        const peerId = contacts.remove(what.contact)
        out.event({ event: 'removed', peerId }, t('cli.contacts.removed', { peerId }))
        return 0
      }
    }
  })
}
