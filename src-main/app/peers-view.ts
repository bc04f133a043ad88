/**
 * The peer list the UI shows: the contacts (store) merged with the peers found on the LAN (mDNS, when on) and the
 * contacts' presence (`contacts.PresenceTracker`). The whole list is emitted as `peers`, debounced by
 * {@link PEERS_DEBOUNCE_MS} ms, whenever any of it changes; a LAN peer that is no longer heard drops out within
 * {@link PEERS_REFRESH_MS} ms of its TTL ending.
 */
import type { PeerView } from '../api/index.ts'
import type { PresenceTracker } from '../core/contacts/index.ts'
import type { LanDiscovery } from '../core/discovery/index.ts'
import type { DeviceKind } from '../core/index.ts'
import type { Store } from '../core/store/index.ts'
import type { EventBus } from './events.ts'

/** Delay that gathers bursts of changes into one `peers` event, ms. */
export const PEERS_DEBOUNCE_MS = 200
/** Names announced by peers that are not contacts, remembered at most. */
export const MAX_ANNOUNCED_NAMES = 1_000
/** Interval of the check for LAN peers that expired without an event, ms. */
export const PEERS_REFRESH_MS = 10_000

/** What the list is built from; replaced when the peer restarts. */
export interface PeerSources {
  store: Store
  presence: PresenceTracker
  lan?: LanDiscovery
}

/** Builds and emits the peer list. */
export class PeersView {
  private readonly bus: EventBus
  private sources: PeerSources | undefined
  private detachSources: Array<() => void> = []
  private debounce: NodeJS.Timeout | undefined
  private readonly refresh: NodeJS.Timeout
  private lastJson = ''
  private readonly announced = new Map<string, string>()
  private readonly announcedDevices = new Map<string, DeviceKind>()

  constructor (bus: EventBus) {
    this.bus = bus
    this.refresh = setInterval(() => this.changed(), PEERS_REFRESH_MS)
    this.refresh.unref()
  }

  /** Follows `sources` (presence changes, LAN answers) instead of the previous ones. */
  attach (sources: PeerSources | undefined): void {
    for (const detach of this.detachSources) detach()
    this.detachSources = []
    this.sources = sources
    if (sources == null) return
    const onChange = (): void => this.changed()
    sources.presence.on('change', onChange)
    this.detachSources.push(() => sources.presence.off('change', onChange))
    if (sources.lan != null) {
      const lan = sources.lan
      lan.on('peer', onChange)
      this.detachSources.push(() => lan.off('peer', onChange))
    }
    this.changed()
  }

  /**
   * Remembers the name and kind of device a peer announced in an offer. The name is shown for peers that are not
   * contacts (a contact keeps the name the person gave it); the kind of device is shown for every peer, and stored
   * with a contact (the contact's own claim about its device, like the one in its invite).
   */
  announce (peerId: string, name: string | undefined, device?: DeviceKind): void {
    if (device != null) this.announceDevice(peerId, device)
    if (name == null || name.trim() === '') return
    this.announced.delete(peerId)
    this.announced.set(peerId, name.trim().slice(0, 64))
    // Bounded: the oldest names are forgotten first (peers that are not contacts can be many).
    for (const old of this.announced.keys()) if (this.announced.size > MAX_ANNOUNCED_NAMES) this.announced.delete(old)
  }

  private announceDevice (peerId: string, device: DeviceKind): void {
    this.announcedDevices.delete(peerId)
    this.announcedDevices.set(peerId, device)
    for (const old of this.announcedDevices.keys()) if (this.announcedDevices.size > MAX_ANNOUNCED_NAMES) this.announcedDevices.delete(old)
    try {
      const contact = this.sources?.store.contacts.get(peerId)
      if (contact == null || contact.device === device) return
      this.sources?.store.contacts.upsert({ peerId, name: contact.name, device })
      this.changed()
    } catch { /* the store closed while the app stops */ }
  }

  /** Whether `peerId` is a contact now (false once the store is closed). */
  isContact (peerId: string): boolean {
    try {
      return this.sources?.store.contacts.get(peerId) != null
    } catch {
      return false // the store closed while the app stops
    }
  }

  /**
   * The name to show for `peerId`: contact name, else announced name, else `peer-<last 8 characters>`. An announced
   * name is the peer's own claim: views that show it say whether the peer is a contact ({@link isContact}).
   */
  nameOf (peerId: string): string {
    let contactName: string | undefined
    try {
      contactName = this.sources?.store.contacts.get(peerId)?.name
    } catch { /* the store closed while the app stops */ }
    return contactName ?? this.announced.get(peerId) ?? `peer-${peerId.slice(-8)}`
  }

  /** The view of one peer (contact or LAN peer), or undefined if it is neither. */
  get (peerId: string): PeerView | undefined {
    return this.list().find(p => p.peerId === peerId)
  }

  /** Contacts (by name) followed by LAN peers that are not contacts (most recently heard first). */
  list (): PeerView[] {
    const s = this.sources
    if (s == null) return []
    const lanPeers = s.lan?.peers() ?? []
    const nearby = new Map(lanPeers.map(p => [p.peerId, p]))
    const out: PeerView[] = []
    for (const c of s.store.contacts.list()) {
      const lan = nearby.get(c.peerId)
      const online = (!c.blocked && s.presence.get(c.peerId)?.online === true) || lan != null
      const view: PeerView = {
        peerId: c.peerId, shortId: c.peerId.slice(-8), name: c.name, isContact: true, trusted: c.trusted,
        blocked: c.blocked, online, nearby: lan != null, addedAt: c.addedAt
      }
      const device = c.device ?? this.announcedDevices.get(c.peerId)
      if (device != null) view.device = device
      const seen = Math.max(c.lastSeenAt ?? 0, lan?.lastSeenAt ?? 0)
      if (seen > 0) view.lastSeenAt = seen
      out.push(view)
      nearby.delete(c.peerId)
    }
    for (const p of nearby.values()) {
      const view: PeerView = {
        peerId: p.peerId, shortId: p.peerId.slice(-8), name: this.nameOf(p.peerId), isContact: false, trusted: false,
        blocked: false, online: true, nearby: true, lastSeenAt: p.lastSeenAt
      }
      const device = this.announcedDevices.get(p.peerId)
      if (device != null) view.device = device
      out.push(view)
    }
    return out
  }

  /** Something changed: emits the list once the burst is over (only if it differs from the last one emitted). */
  changed (): void {
    if (this.debounce != null) return
    this.debounce = setTimeout(() => {
      this.debounce = undefined
      let list: PeerView[]
      try {
        list = this.list()
      } catch {
        return // the store closed while the app stops
      }
      const json = JSON.stringify(list)
      if (json === this.lastJson) return
      this.lastJson = json
      this.bus.emit('peers', list)
    }, PEERS_DEBOUNCE_MS)
  }

  /** Stops the timers and detaches from the sources. */
  stop (): void {
    clearTimeout(this.debounce)
    clearInterval(this.refresh)
    this.attach(undefined)
  }
}
