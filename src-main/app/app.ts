/**
 * The app service's state: the settings, the running peer with its presence tracker and identity (a "session",
 * replaced when the relays change), and the views and books built on them. The handlers (./handlers.ts) work on it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { PresenceTracker } from '../core/contacts/index.ts'
import { AbortedError, logger } from '../core/index.ts'
import type { Peer, TransferEvents } from '../core/index.ts'
import { ApiError } from '../api/index.ts'
import type { SettingsView } from '../api/index.ts'
import { EventBus } from './events.ts'
import { IdentityTracker } from './identity.ts'
import { OfferBook } from './offers.ts'
import { Outbox } from './outbox.ts'
import { startPeerSession } from './peer-session.ts'
import { PeersView } from './peers-view.ts'
import { Sends } from './send.ts'
import { readDeviceFacts } from './device.ts'
import { resolveSettings, uploadBytesPerSecond } from './settings.ts'
import { systemLocale } from './environment.ts'
import { resolveLanguage, setLanguage, t } from '../text/index.ts'
import { TransferViews } from './transfers-view.ts'
import type { AppInit } from './types.ts'

/** Pause before a failed restart is tried again, ms. */
export const RESTART_RETRY_MS = 1_000
/** Longest wait at stop for paused receives to be recorded, ms. */
export const STOP_WAIT_MS = 3_000

/** A running peer and what follows it. */
interface Session {
  peer: Peer
  presence: PresenceTracker
  identity: IdentityTracker
  /** The relays this peer was started with. */
  relays: string[]
  /** Whether this peer was started with router port mapping. */
  portMapping: boolean
  /** Whether this peer was started relaying for its contacts. */
  relayForContacts: boolean
  detach: () => void
}

/** The state of one running app. */
const log = logger('app')

export class AppState {
  readonly init: AppInit
  readonly bus = new EventBus()
  settings: SettingsView
  readonly views: TransferViews
  readonly offers: OfferBook
  readonly peers: PeersView
  readonly sends: Sends
  readonly outbox: Outbox
  private session: Session | undefined
  private restarting: Promise<void> | undefined
  private stopped = false

  private constructor (init: AppInit, settings: SettingsView) {
    this.init = init
    this.settings = settings
    this.peers = new PeersView(this.bus)
    this.views = new TransferViews({
      bus: this.bus,
      store: () => this.session?.peer.store,
      peerName: (id) => this.peers.nameOf(id),
      isContact: (id) => this.peers.isContact(id),
      canShowInFolder: init.host?.showInFolder != null,
      onEnded: (view) => {
        this.sends.ended(view)
        this.outbox.ended(view)
      }
    })
    this.offers = new OfferBook({
      bus: this.bus,
      store: () => this.peer.store,
      onAsked: (offer) => this.views.received(offer, 'offered')
    })
    this.sends = new Sends({ views: this.views, peer: () => this.peer, relays: () => this.current.relays, peerName: (id) => this.peers.nameOf(id) })
    this.outbox = new Outbox({ bus: this.bus, views: this.views, sends: this.sends, peer: () => this.peer, peerName: (id) => this.peers.nameOf(id) })
  }

  /**
   * Resolves the settings and starts the peer.
   * @throws {AbortedError} when `signal` aborts first (nothing is left running)
   * @throws the errors of `startPeer` and of the settings (`ConfigError` on a malformed relay)
   */
  static async start (init: AppInit, signal?: AbortSignal): Promise<AppState> {
    const device = await readDeviceFacts(init.host?.kind !== 'electron')
    const settings = await resolveSettings(init.dataDir, { displayName: init.displayName, downloadDir: init.downloadDir, relays: init.relays }, device)
    signal?.throwIfAborted()
    const state = new AppState(init, settings)
    state.applyLanguage()
    try {
      await state.startSession()
      if (signal?.aborted === true) throw new AbortedError('Starting Ferry was cancelled')
    } catch (err) {
      await state.stop()
      throw err
    }
    return state
  }

  /**
   * Sets the language of the app's words (errors, transfer endings, the network check; `text.setLanguage`) from the
   * `language` setting and the system's locale.
   */
  applyLanguage (): void {
    setLanguage(resolveLanguage(this.settings.language, this.init.locale ?? systemLocale()))
  }

  /** The running peer. @throws {ApiError} `restarting` while the peer restarts, `stopped` after stop */
  get peer (): Peer {
    return this.current.peer
  }

  /** The identity tracker of the running peer. */
  get identity (): IdentityTracker {
    return this.current.identity
  }

  /** The presence tracker of the running peer. */
  get presence (): PresenceTracker {
    return this.current.presence
  }

  private get current (): Session {
    if (this.session != null) return this.session
    throw this.stopped ? new ApiError('stopped', t('app.stopped')) : new ApiError('restarting', t('app.restarting'))
  }

  /** Whether anything runs that a restart would cut: a transfer, a send connecting, an offer waiting. */
  get busy (): boolean {
    return this.views.busy || this.offers.list().length > 0
  }

  /**
   * Stops the peer and starts it again with the current settings (relays changed, or a relay answers again). The
   * caller checks {@link busy}. A start that fails is tried once more after {@link RESTART_RETRY_MS} ms; if that
   * fails too, an `error` notice says so and calls fail with `restarting` until the app is started again.
   * @throws the error of the last start
   */
  async restart (): Promise<void> {
    if (this.restarting != null) return this.restarting
    log('restarting the peer (settings changed)')
    this.restarting = (async () => {
      await this.stopSession()
      if (this.stopped) return
      try {
        await this.startSession()
      } catch {
        await sleep(RESTART_RETRY_MS)
        if (this.stopped) return
        await this.startSession().catch((err: unknown) => {
          this.bus.emit('notice', { level: 'error', code: 'restart-failed', message: `Ferry could not start again: ${(err as Error).message}. Restart the app.` })
          throw err
        })
      }
    })().finally(() => { this.restarting = undefined })
    return this.restarting
  }

  private async startSession (): Promise<void> {
    const { init, settings } = this
    const mdns = init.mdns === true
    const { peer, presence } = await startPeerSession({
      dataDir: init.dataDir,
      downloadDir: settings.downloadDir,
      relays: settings.relays,
      iceServers: init.iceServers,
      listen: init.listen,
      mdns,
      relayForContacts: settings.relayForContacts,
      displayName: settings.displayName,
      deviceKind: settings.deviceKind,
      timeouts: init.timeouts,
      portMapping: this.wantsPortMapping(settings.upnp),
      // The core refuses peers that are not contacts unseen and unrecorded, resumed transfers included.
      receive: {
        contactsOnly: () => this.settings.contactsOnly,
        ask: async (offer, signal) => this.offers.ask(offer, signal),
        onOffer: (offer) => this.peers.announce(offer.peerId, offer.senderName, offer.senderDevice),
        onAutoAccepted: (offer, contact) => this.offers.autoAccepted(offer, contact),
        onRateLimited: (offer) => this.offers.rateLimited(offer)
      },
      presence: init.presence ?? {}
    })
    if (presence == null) throw new Error('presence is started with every app session')
    peer.transfers.setUploadLimit(uploadBytesPerSecond(settings.uploadLimit))
    const identity = new IdentityTracker({
      bus: this.bus,
      peer,
      relays: settings.relays,
      displayName: settings.displayName,
      deviceKind: settings.deviceKind
    })
    const detach = this.follow(peer)
    this.session = { peer, presence, identity, relays: settings.relays, portMapping: this.wantsPortMapping(settings.upnp), relayForContacts: settings.relayForContacts, detach }
    log('started: peer %s, %d relay(s), LAN discovery %s, port mapping %s', peer.peerId, settings.relays.length, mdns ? 'on' : 'off', peer.portMapping.status)
    identity.start()
    this.peers.attach({ store: peer.store, presence, lan: peer.lan })
    this.outbox.attach(presence)
  }

  /** Keeps the transfer views current from the transfer service's events; returns the function that stops it. */
  private follow (peer: Peer): () => void {
    const t = peer.transfers
    const handlers: { [K in keyof TransferEvents]: (...args: TransferEvents[K]) => void } = {
      // An offer gets a view only when the person is asked (`OfferBook`) or it is accepted: offers refused unseen leave none.
      offer: (offer) => this.peers.announce(offer.peerId, offer.senderName, offer.senderDevice),
      accepted: (offer) => this.views.received(offer, 'accepted'),
      declined: (offer, why) => this.views.finish(offer.transferId, why.code === 'timeout'
        ? { record: why.record, state: 'declined', code: 'offer-expired' }
        : { record: why.record, state: 'declined', code: 'declined', message: why.reason ?? 'Declined' }),
      resuming: (r) => this.views.patch(r.transferId, { state: 'transferring', transferredBytes: r.skippedBytes }),
      progress: (p) => this.views.progress(p),
      // The events carry the final record: the views show it without reading the history again.
      complete: (r, record) => this.views.finish(r.transferId, { record, state: 'completed' }),
      failed: (f) => { if (f.transferId != null) this.views.finish(f.transferId, { ...f, record: f.record, state: f.state }) }
    }
    for (const [event, handler] of Object.entries(handlers)) t.on(event as keyof TransferEvents, handler as never)
    return () => { for (const [event, handler] of Object.entries(handlers)) t.off(event as keyof TransferEvents, handler as never) }
  }

  private async stopSession (): Promise<void> {
    const session = this.session
    if (session == null) return
    session.identity.stop()
    this.outbox.stopFollowing()
    this.peers.attach(undefined)
    await session.presence.stop()
    try {
      // Transfers the stop cancels still end their views: the listeners stay until the store is closed.
      await session.peer.stop()
    } finally {
      this.session = undefined
      session.detach()
    }
  }

  /** Pauses the running receives and waits (at most {@link STOP_WAIT_MS} ms) until each is recorded as ended. */
  private async pauseReceives (): Promise<void> {
    const session = this.session
    const waiting = new Set(this.views.runningIds('receive'))
    if (session == null || waiting.size === 0) return
    const ended = Promise.withResolvers<void>()
    const off = this.bus.on('transfer', (t) => {
      if (!this.views.isRunning(t.id) && waiting.delete(t.id) && waiting.size === 0) ended.resolve()
    })
    const timer = setTimeout(ended.resolve, STOP_WAIT_MS)
    for (const id of waiting) session.peer.transfers.pause(id)
    await ended.promise
    clearTimeout(timer)
    off()
  }

  /** Whether the peer maps a router port with the `upnp` setting at `setting`: only where the host allows it. */
  wantsPortMapping (setting: boolean): boolean {
    return this.init.upnp === true && setting
  }

  /** Whether the running peer was started with router port mapping. */
  get activePortMapping (): boolean {
    return this.current.portMapping
  }

  /** Whether the running peer relays for its contacts (the setting may differ until the next start). */
  get activeRelayForContacts (): boolean {
    return this.current.relayForContacts
  }

  /** The relays the running peer uses (the settings may hold newer ones, applied at the next start). */
  get activeRelays (): string[] {
    return this.current.relays
  }

  /**
   * Pauses running transfers (both sides record them `interrupted`, code `paused`: resumable after the next start),
   * declines waiting offers, stops presence and the peer; idempotent.
   */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    log('stopping')
    await this.restarting?.catch(() => {})
    await this.sends.stop()
    this.offers.closeAll()
    await this.pauseReceives()
    await this.stopSession()
    this.views.clear()
    this.peers.stop()
    this.bus.close()
  }
}
