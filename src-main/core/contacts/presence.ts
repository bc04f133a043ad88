import { EventEmitter } from 'node:events'
import { peerIdFromString } from '@libp2p/peer-id'
import type { IdentifyResult, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { LanDiscovery } from '../discovery/index.ts'
import type { FerryLibp2p } from '../node/index.ts'
import type { Contact, Store } from '../store/index.ts'
import { MAX_DIRECT_ADDRS, PRESENCE_CHECK_TIMEOUT_MS, PRESENCE_INTERVAL_MS, PRESENCE_MISSES } from './constants.ts'
import { circuitAddr, directAddrsOf, isDirectTcp, publicFirst, relaysOf, withPeerId } from './route.ts'

/** A contact's presence as last determined. Times are ms since the epoch. */
export interface PresenceState {
  peerId: string
  name: string
  online: boolean
  /** When the contact last answered or connected (from the store, so it survives restarts). */
  lastSeenAt?: number
}

/** Options of {@link PresenceTracker}. */
export interface PresenceInit {
  node: FerryLibp2p
  store: Pick<Store, 'contacts'>
  /** Peers found on the LAN, dialled first. */
  lan?: LanDiscovery
  /** Interval between checks of each contact, ms (default {@link PRESENCE_INTERVAL_MS}). */
  intervalMs?: number
  /** Failed checks in a row before an online contact is shown offline (default {@link PRESENCE_MISSES}). */
  misses?: number
  /** Time one check may take, ms (default {@link PRESENCE_CHECK_TIMEOUT_MS}, at most the interval). */
  checkTimeoutMs?: number
  now?: () => number
}

interface Tracked { online: boolean, settled: boolean, misses: number }

/**
 * Follows whether each contact (not blocked) is online.
 *
 * Definition: a contact is **online** from the moment a connection to it opens or it answers a check, until
 * `misses` checks in a row fail. A **check** runs every `intervalMs` for each contact, and at once when a connection to
 * it closes: a libp2p ping over an open connection, or else a dial of — in this order of preference, all tried by
 * libp2p — its LAN addresses (mDNS), last known direct addresses, and its relays' circuits
 * (`<relay>/p2p-circuit/p2p/<id>`: a small limited connection, enough for a ping). A check fails when it has not
 * answered within `checkTimeoutMs`. A contact never seen is offline after its first failed check.
 *
 * So a peer that stops is shown offline within `misses × intervalMs + checkTimeoutMs` (sooner when its connection
 * closes cleanly: the first check then starts at once), and a peer that starts is shown online within `intervalMs`
 * plus a dial, or at once when it connects. test/contacts/presence-follows-peer.test.ts measures both.
 *
 * Each success records the contact as seen in the store (`touchSeen`) with the direct addresses it announced
 * (identify), its relays kept, so it is dialled there next time.
 */
export class PresenceTracker extends EventEmitter<{ change: [PresenceState] }> {
  private readonly init: PresenceInit
  private readonly tracked = new Map<string, Tracked>()
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly controller = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private readonly removers: Array<() => void> = []

  constructor (init: PresenceInit) {
    super()
    this.init = init
  }

  private get now (): number { return (this.init.now ?? Date.now)() }
  private get intervalMs (): number { return this.init.intervalMs ?? PRESENCE_INTERVAL_MS }

  /** Starts checking: once at once, then every interval; and follows connections opening and closing. */
  start (): void {
    const { node } = this.init
    const onConnect = (evt: CustomEvent<PeerId>): void => { this.seen(evt.detail.toString()) }
    const onDisconnect = (evt: CustomEvent<PeerId>): void => { void this.check(evt.detail.toString()) }
    const onIdentify = (evt: CustomEvent<IdentifyResult>): void => { this.seen(evt.detail.peerId.toString(), evt.detail.listenAddrs.map(String)) }
    node.addEventListener('peer:connect', onConnect)
    node.addEventListener('peer:disconnect', onDisconnect)
    node.addEventListener('peer:identify', onIdentify)
    this.removers.push(
      () => node.removeEventListener('peer:connect', onConnect),
      () => node.removeEventListener('peer:disconnect', onDisconnect),
      () => node.removeEventListener('peer:identify', onIdentify))
    this.timer = setInterval(() => this.checkAll(), this.intervalMs)
    this.timer.unref()
    this.checkAll()
  }

  /** Stops checking; resolves once checks in flight have ended. */
  async stop (): Promise<void> {
    clearInterval(this.timer)
    for (const remove of this.removers) remove()
    this.controller.abort()
    await Promise.allSettled(this.inFlight.values())
  }

  /** The presence of every contact that is not blocked, by name. */
  list (): PresenceState[] {
    return this.init.store.contacts.list().filter(c => !c.blocked).map(c => this.stateOf(c))
  }

  /** The presence of one contact, or undefined if it is not a contact. */
  get (peerId: string): PresenceState | undefined {
    const contact = this.init.store.contacts.get(peerId)
    return contact == null ? undefined : this.stateOf(contact)
  }

  private stateOf (contact: Contact): PresenceState {
    const state: PresenceState = { peerId: contact.peerId, name: contact.name, online: this.tracked.get(contact.peerId)?.online ?? false }
    if (contact.lastSeenAt != null) state.lastSeenAt = contact.lastSeenAt
    return state
  }

  private checkAll (): void {
    for (const contact of this.init.store.contacts.list()) if (!contact.blocked) void this.check(contact.peerId)
  }

  /** Runs one check of `peerId` now (joining one already running). Resolves with its presence afterwards. */
  async check (peerId: string): Promise<PresenceState | undefined> {
    let running = this.inFlight.get(peerId)
    if (running == null) {
      running = this.runCheck(peerId).finally(() => this.inFlight.delete(peerId))
      this.inFlight.set(peerId, running)
    }
    await running
    return this.get(peerId)
  }

  private async runCheck (peerId: string): Promise<void> {
    const contact = this.init.store.contacts.get(peerId)
    if (contact == null || contact.blocked || this.controller.signal.aborted) return
    const { node } = this.init
    const id = peerIdFromString(peerId)
    const timeout = AbortSignal.timeout(Math.min(this.init.checkTimeoutMs ?? PRESENCE_CHECK_TIMEOUT_MS, this.intervalMs))
    const signal = AbortSignal.any([this.controller.signal, timeout])
    try {
      if (node.getConnections(id).some(c => c.status === 'open')) {
        await node.services.ping.ping(id, { signal })
      } else {
        const targets = this.targetsOf(contact)
        if (targets.length === 0) throw new Error('no address known')
        await node.services.ping.ping(targets.map(a => multiaddr(a)), { signal })
      }
    } catch {
      if (this.controller.signal.aborted) return
      this.missed(contact)
      return
    }
    this.seen(peerId)
  }

  /** Where to dial a contact that is not connected: LAN, last known direct addresses, relay circuits. */
  private targetsOf (contact: Contact): string[] {
    const lan = (this.init.lan?.get(contact.peerId)?.addrs ?? []).filter(isDirectTcp).map(a => withPeerId(a, contact.peerId))
    const circuits = relaysOf(contact).map(r => circuitAddr(r, contact.peerId))
    return [...new Set([...lan, ...directAddrsOf(contact), ...circuits])]
  }

  private missed (contact: Contact): void {
    const t = this.tracked.get(contact.peerId) ?? { online: false, settled: false, misses: 0 }
    t.misses++
    const goesOffline = t.online ? t.misses >= (this.init.misses ?? PRESENCE_MISSES) : !t.settled
    this.tracked.set(contact.peerId, t)
    if (goesOffline) {
      t.online = false
      t.settled = true
      this.emit('change', this.stateOf(contact))
    }
  }

  /** Records `peerId` as online now (a connection opened or a check answered), if it is a contact. */
  private seen (peerId: string, announced: string[] = []): void {
    const contact = this.init.store.contacts.get(peerId)
    if (contact == null || contact.blocked) return
    this.init.store.contacts.touchSeen(peerId, this.now, this.addrsToKeep(contact, announced))
    const t = this.tracked.get(peerId) ?? { online: false, settled: false, misses: 0 }
    t.misses = 0
    const changed = !t.online || !t.settled
    t.online = true
    t.settled = true
    this.tracked.set(peerId, t)
    if (changed) this.emit('change', this.stateOf(this.init.store.contacts.get(peerId) ?? contact))
  }

  /**
   * The addresses to remember for a contact: the direct TCP addresses it announced (identify; public ones first, so a
   * port its router mapped is kept) and the relays it
   * announced, then the relays already stored — relays last but always kept, so observed addresses never push the
   * invite's relays out of the store's bounded list.
   */
  private addrsToKeep (contact: Contact, announced: string[]): string[] {
    const direct = publicFirst(announced.filter(isDirectTcp)).slice(0, MAX_DIRECT_ADDRS).map(a => withPeerId(a, contact.peerId))
    const relays = [...relaysOf({ addrs: announced }), ...relaysOf(contact)]
    return [...direct, ...[...new Set(relays)].map(r => circuitAddr(r, contact.peerId))]
  }
}
