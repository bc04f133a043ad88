/**
 * The path a connection took, in words for people, for every host: the core names it (`contacts.pathOf`: direct,
 * TURN, a contact's Ferry relaying, another relay) and this puts it in the language in effect — a send's
 * `TransferView.via`, `ferry send`'s `connected` line ("Connected through Carol's Ferry"). docs/CONNECTIVITY.md §9.
 */
import { pathOf } from '../core/contacts/index.ts'
import type { PathInfo } from '../core/contacts/index.ts'
import type { ConnectionInfo } from '../core/index.ts'
import type { Store } from '../core/store/index.ts'
import { t } from '../text/index.ts'

/** A connection's path: the core's facts (`path`, `via`) and `text`, the words for a person. */
export interface WordedPath extends PathInfo {
  /** "direct", "through Carol's Ferry", "through TURN", "through relay 12D3…" (in the language in effect). */
  text: string
}

/** The path of a connection described by `describeConnection`, with its words; its relay is looked up among the contacts. */
export function describePath (info: Pick<ConnectionInfo, 'transport' | 'remoteAddr' | 'candidateType'>, store: Pick<Store, 'contacts'>): WordedPath {
  const path = pathOf(info, store)
  return { ...path, text: pathText(path) }
}

/** The words for a path. */
function pathText (path: PathInfo): string {
  switch (path.path) {
    case 'contact-relay': return t('path.contactRelay', { name: path.via ?? '' })
    case 'relay': return path.via == null ? t('path.relayUnknown') : t('path.relay', { relay: path.via })
    case 'turn': return t('path.turn')
    default: return t('path.direct')
  }
}
