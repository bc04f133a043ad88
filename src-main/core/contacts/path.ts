import type { ConnectionInfo } from '../node/index.ts'
import type { Store } from '../store/index.ts'

/**
 * The path a connection's bytes take: `direct` (TCP, or WebRTC between the two peers), `turn` (a TURN server),
 * `contact-relay` (a circuit through a contact that relays for its contacts — `via` names it) or `relay` (a circuit
 * through any other relay — `via` is its peer ID, when the address names it). The app puts it in words
 * (src-main/app/path-words.ts: "through Carol's Ferry").
 */
export interface PathInfo {
  path: 'direct' | 'turn' | 'contact-relay' | 'relay'
  /** With `contact-relay`: the contact's name; with `relay`: the relay's peer ID. */
  via?: string
}

/** Names the path of a connection described by `describeConnection`, looking its relay up among the contacts. */
export function pathOf (info: Pick<ConnectionInfo, 'transport' | 'remoteAddr' | 'candidateType'>, store: Pick<Store, 'contacts'>): PathInfo {
  if (info.transport === 'circuit-relay') {
    const relay = relayPeerOf(info.remoteAddr)
    const contact = relay == null ? undefined : store.contacts.get(relay)
    if (contact != null && !contact.blocked) return { path: 'contact-relay', via: contact.name }
    return { path: 'relay', ...(relay == null ? {} : { via: relay }) }
  }
  if (info.candidateType === 'relay') return { path: 'turn' }
  return { path: 'direct' }
}

/** The relay's peer ID in a circuit address (`…/p2p/<relay>/p2p-circuit/…`), or undefined. */
function relayPeerOf (addr: string): string | undefined {
  const circuit = addr.indexOf('/p2p-circuit')
  if (circuit < 0) return undefined
  const before = addr.slice(0, circuit)
  const at = before.lastIndexOf('/p2p/')
  return at < 0 ? undefined : before.slice(at + 5)
}
