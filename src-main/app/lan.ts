/**
 * Which Ferry peers answer on this LAN (mDNS), with the contact each one is, if any: what `ferry discover` lists
 * (the running app shows the same peers in its peer list, ./peers-view.ts). The peer started for it listens on
 * nothing and accepts no transfer: it asks, and peers answer to the multicast group; it is not itself announced.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { startPeerSession } from './peer-session.ts'

/** A peer found on the LAN. */
export interface LanPeerEntry {
  peerId: string
  /** The addresses it announced. */
  addrs: string[]
  /** Its contact name, or null when it is not a contact. */
  contact: string | null
  trusted: boolean
}

/**
 * Listens on the LAN for `ms` milliseconds (or until `signal` aborts) with `dataDir`'s identity, calling `onPeer`
 * once for each other peer found; resolves with how many were found. Needs no relay.
 * @throws the errors of starting a peer
 */
export async function discoverLan (dataDir: string, ms: number, onPeer: (peer: LanPeerEntry) => void, signal?: AbortSignal): Promise<number> {
  const session = await startPeerSession({ dataDir, downloadDir: dataDir, relays: [], iceServers: [], mdns: true, presence: false })
  const { peer } = session
  const lan = peer.lan
  const shown = new Set<string>()
  try {
    if (lan == null) throw new Error('mDNS discovery did not start')
    const show = (p: { peerId: string, addrs: string[] }): void => {
      if (shown.has(p.peerId) || p.peerId === peer.peerId) return
      shown.add(p.peerId)
      const contact = peer.store.contacts.get(p.peerId)
      onPeer({ peerId: p.peerId, addrs: p.addrs, contact: contact?.name ?? null, trusted: contact?.trusted ?? false })
    }
    lan.on('peer', show)
    for (const p of lan.peers()) show(p)
    await sleep(ms, undefined, { signal }).catch(() => {})
    return shown.size
  } finally {
    await session.stop()
  }
}
