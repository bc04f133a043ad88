/**
 * The page's state, kept in sync with the core: one {@link FerryState} (`ferry`) holding the snapshot, updated by the
 * core's events, plus the UI's own bits (current view, toasts, uploads in progress). Components read its fields
 * (Svelte 5 runes make them reactive) and call its actions. A transfer's progress and ending are shown by the
 * transfer itself (Transfers, and the peer's card: {@link FerryState.latestWith}), never by a toast; an action that
 * fails reports in words a person understands where it was started (e.g. `send` returns its error for the card), and
 * toasts are left for what has no other place.
 *
 * @example
 * ```ts
 * import { ferry } from './state.svelte.ts'
 * await ferry.start()             // connects, loads the snapshot, follows events
 * ferry.view = 'transfers'
 * const error = await ferry.send(peer, picked)  // null, or why the files were not handed to Ferry
 * ```
 */
import { getApi } from '../api/index.ts'
import type {
  PageApi, UploadProgress, Capabilities, IdentityView, Notice, OfferView, OutboxView, PeerView, PickedFile, SendStarted, SettingsView,
  Snapshot, TransferView
} from '../api/index.ts'
import { describeError } from './errors.ts'
import { fileCount, formatBytes } from './format.ts'
import { t, t as tx } from './i18n.ts'

/** The views of the sidebar (the registry in views.ts). */
export type { ViewName } from './views.ts'
import type { ViewName } from './views.ts'

/** A short message in the corner. */
export interface Toast { id: number, level: Notice['level'] | 'success', message: string }

/** How often the page checks that the core still answers, ms. */
const HEARTBEAT_MS = 10_000
/** Finished transfers kept on the Transfers view (History has the rest). */
const MAX_FINISHED_SHOWN = 50

/** Whether a send to `peer` waits in the outbox: a contact (not blocked) who is offline now. */
export function queues (peer: PeerView): boolean {
  return peer.isContact && !peer.online && !peer.blocked
}

class FerryState {
  api: PageApi | null = null
  /** `connecting` until the first snapshot, `lost` while the core does not answer, `failed` if it never did. */
  connection = $state<'connecting' | 'ready' | 'lost' | 'failed'>('connecting')
  failure = $state('')
  capabilities = $state.raw<Capabilities | null>(null)
  identity = $state.raw<IdentityView | null>(null)
  settings = $state.raw<SettingsView | null>(null)
  peers = $state.raw<PeerView[]>([])
  offers = $state.raw<OfferView[]>([])
  /** The offer the person set aside with Escape (undecided): the dialog hides until a newer one arrives or it is reopened. */
  offerSetAside = $state<string | undefined>(undefined)
  /** Running and recent transfers, newest first. */
  transfers = $state.raw<TransferView[]>([])
  /** Sends waiting for their contact to come online, oldest first. */
  outbox = $state.raw<OutboxView[]>([])
  toasts = $state<Toast[]>([])
  view = $state<ViewName>('peers')
  /** Peer IDs whose files are being handed to the core (uploaded, in a browser), with the upload's progress. */
  uploading = $state<Record<string, number>>({})
  uploadProgress = $state<Record<string, UploadProgress>>({})
  /** Bumped whenever a transfer ends, so History reloads. */
  historyVersion = $state(0)
  /** The clock for "last seen …", ticking every 30 s. */
  now = $state(Date.now())
  /** Contacts just added: the Peers view shows their fingerprint to compare until the person dismisses it. */
  justAdded = $state<Record<string, true>>({})
  /**
   * How transfers cancelled in this session ended: `here` when this page asked, `there` when one seen running here was
   * cancelled without this page asking (the other side, as far as this page can tell). Not kept across reloads.
   */
  cancelledBy = $state<Record<string, 'here' | 'there'>>({})
  /** A line for screen readers about the latest offer. */
  announcement = $state('')
  /** Transfers whose line on the peer's card the person dismissed. */
  dismissedOnCard = $state<Record<string, true>>({})
  /** Peers selected to send to together: a drop, pick or text on a selected card goes to every selected peer. */
  selected = $state<Record<string, true>>({})
  /** Text pasted in the window for a peer's card to open in its Send text dialog (the card takes it and clears it). */
  pasteTo = $state<{ peerId: string, text: string } | null>(null)
  /** When this page started, ms: the peer cards show the transfers of this session (and any still running). */
  private readonly startedAt = Date.now()

  private nextToast = 1
  private timers: ReturnType<typeof setInterval>[] = []
  private unsubscribe: (() => void)[] = []

  /** Connects to the core, loads the snapshot and follows events. Never throws: failures set `connection`. */
  async start (): Promise<void> {
    try {
      this.api = await getApi()
      // Follow events first, so nothing that happens while the snapshot loads is missed.
      this.follow(this.api)
      this.applySnapshot(await this.api.getSnapshot({}), true)
      this.connection = 'ready'
    } catch (err) {
      this.connection = 'failed'
      this.failure = describeError(err)
      return
    }
    this.timers.push(setInterval(() => { this.now = Date.now() }, 30_000))
    this.timers.push(setInterval(() => { void this.heartbeat() }, HEARTBEAT_MS))
  }

  /** Stops following the core (tests of the page, hot reload). */
  stop (): void {
    for (const t of this.timers) clearInterval(t)
    for (const off of this.unsubscribe) off()
    this.timers = []
    this.unsubscribe = []
  }

  /** Draws from a snapshot; `first`: the one at start, taken while events were already followed. */
  private applySnapshot (s: Snapshot, first = false): void {
    this.capabilities = s.capabilities
    this.identity = s.identity
    this.settings = s.settings
    this.peers = s.peers
    // At start, offers that arrived as events while the snapshot loaded stay (the snapshot may predate them).
    const known = new Set(s.offers.map(o => o.transferId))
    this.offers = first ? [...s.offers, ...this.offers.filter(o => !known.has(o.transferId))] : s.offers
    const byId = new Map(this.transfers.map(t => [t.id, t]))
    for (const t of s.transfers) byId.set(t.id, t)
    this.transfers = sortTransfers([...byId.values()])
    this.outbox = s.outbox
  }

  private follow (api: PageApi): void {
    if (api.onUploadProgress != null) {
      this.unsubscribe.push(api.onUploadProgress(p => { this.uploadProgress = { ...this.uploadProgress, [p.peerId]: p } }))
    }
    this.unsubscribe.push(
      api.on('peers', peers => { this.peers = peers }),
      api.on('identity', identity => { this.identity = identity }),
      api.on('settings', settings => { this.settings = settings }),
      api.on('offer', offer => this.addOffer(offer)),
      api.on('offer-closed', ({ transferId }) => { this.offers = this.offers.filter(o => o.transferId !== transferId) }),
      api.on('transfer', t => this.upsertTransfer(t)),
      api.on('notice', n => this.onNotice(n)),
      api.on('outbox', list => { this.outbox = list })
    )
  }

  /** The browser client's own notices mark a dropped and restored socket (src/api/ws-client.ts); others are toasts. */
  private onNotice (n: Notice): void {
    if (n.code === 'disconnected') { this.connection = 'lost'; return }
    if (n.code === 'reconnected') { void this.recover(); return }
    if (n.code === 'api-version-mismatch') {
      this.connection = 'failed'
      this.failure = t('app.otherVersion')
      return
    }
    this.toast(n.level, describeError(n))
  }

  /** Back after a lost connection: events were missed, so redraw from a fresh snapshot. */
  private async recover (): Promise<void> {
    if (this.api == null) return
    try {
      this.applySnapshot(await this.api.getSnapshot({}))
      if (this.connection === 'lost') this.toast('success', t('app.reconnected'))
      this.connection = 'ready'
    } catch {
      this.connection = 'lost'
    }
  }

  private addOffer (offer: OfferView): void {
    if (this.offers.some(o => o.transferId === offer.transferId)) return
    this.offers = [...this.offers, offer]
    const who = offer.contactName ?? offer.senderName ?? `peer ${offer.shortId}`
    this.announcement = t(offer.isContact ? 'app.newOffer' : 'app.newOfferNotContact', { who, files: fileCount(offer.files.length), size: formatBytes(offer.totalBytes) })
  }

  /** Removes a send from the outbox (nothing of it is sent); a failure is shown as a toast. */
  async cancelQueued (id: string): Promise<void> {
    await this.run(api => api.cancelOutbox({ id }), t('outbox.couldNotCancel'))
  }

  /** Merges a transfer event; bumps `historyVersion` when one ends. */
  upsertTransfer (t: TransferView): void {
    const old = this.transfers.find(x => x.id === t.id)
    // Events for large transfers carry no file list: keep the one fetched with getTransfer.
    const merged = t.files == null && old?.files != null ? { ...t, files: old.files } : t
    const rest = this.transfers.filter(x => x.id !== t.id)
    let next = sortTransfers([merged, ...rest])
    const finished = next.filter(x => !x.running)
    if (finished.length > MAX_FINISHED_SHOWN) {
      const drop = new Set(finished.slice(MAX_FINISHED_SHOWN).map(x => x.id))
      next = next.filter(x => !drop.has(x.id))
    }
    this.transfers = next
    if (t.state === 'cancelled' && old?.running === true && this.cancelledBy[t.id] == null) {
      this.cancelledBy = { ...this.cancelledBy, [t.id]: 'there' }
    }
    if (!t.running && (old == null || old.running)) this.historyVersion++
  }

  private async heartbeat (): Promise<void> {
    if (this.api == null) return
    try {
      await withTimeout(this.api.listHistory({ limit: 1 }), HEARTBEAT_MS)
      if (this.connection === 'lost') await this.recover()
    } catch {
      this.connection = 'lost'
    }
  }

  /** Shows a toast; info and success disappear after 5 s, warnings and errors after 12 s. */
  toast (level: Toast['level'], message: string): void {
    const id = this.nextToast++
    this.toasts = [...this.toasts, { id, level, message }].slice(-4)
    setTimeout(() => this.dismiss(id), level === 'info' || level === 'success' ? 5_000 : 12_000)
  }

  dismiss (id: number): void {
    this.toasts = this.toasts.filter(t => t.id !== id)
  }

  /**
   * Runs an API call; on failure shows its error in words and returns `undefined`.
   * Use for actions whose errors need no place of their own on the page.
   */
  async run<T> (call: (api: PageApi) => Promise<T>, failurePrefix = ''): Promise<T | undefined> {
    if (this.api == null) return undefined
    try {
      return await call(this.api)
    } catch (err) {
      this.toast('error', `${failurePrefix}${describeError(err)}`)
      return undefined
    }
  }

  /**
   * Sends text snippet `text` (at most 1 MiB of UTF-8) to `peer`; progress then arrives as `transfer` events. Resolves
   * with `null` once Ferry took it, or with why it could not (in words), for the card to show.
   */
  async sendText (peer: PeerView, text: string): Promise<string | null> {
    if (this.api == null) return null
    try {
      // Several selected: a transfer each (one offline fails alone); one offline contact: queued in the outbox.
      const also = this.alsoTo(peer)
      if (also.length === 0 && queues(peer)) {
        await this.api.sendText({ peerId: peer.peerId, text, queue: true })
        return null
      }
      return this.failedRecipients(await this.api.sendText({ peerId: peer.peerId, text, ...(also.length === 0 ? {} : { alsoTo: also }) }))
    } catch (err) {
      return t('peer.couldNotSend', { name: peer.name, error: describeError(err) })
    }
  }

  /**
   * Sends picked or dropped files to `peer`; progress then arrives as `transfer` events, shown in Transfers and on the
   * peer's card. Resolves with `null` once Ferry has the files, or with why it could not take them (in words).
   */
  async send (peer: PeerView, files: PickedFile[]): Promise<string | null> {
    if (files.length === 0 || this.api == null) return null
    const api = this.api
    this.uploading = { ...this.uploading, [peer.peerId]: (this.uploading[peer.peerId] ?? 0) + 1 }
    try {
      const also = this.alsoTo(peer)
      if (also.length === 0 && queues(peer)) {
        await api.sendFiles(peer.peerId, files, { queue: true })
        return null
      }
      return this.failedRecipients(await api.sendFiles(peer.peerId, files, also.length === 0 ? undefined : { alsoTo: also }))
    } catch (err) {
      return t('peer.couldNotSend', { name: peer.name, error: describeError(err) })
    } finally {
      const left = (this.uploading[peer.peerId] ?? 1) - 1
      const next = { ...this.uploading }
      if (left > 0) next[peer.peerId] = left
      else {
        delete next[peer.peerId]
        const { [peer.peerId]: _done, ...progress } = this.uploadProgress
        this.uploadProgress = progress
      }
      this.uploading = next
    }
  }

  /** Selects `peerId` for sending to several peers at once, or unselects it. */
  toggleSelected (peerId: string): void {
    const { [peerId]: was, ...rest } = this.selected
    this.selected = was === true ? rest : { ...rest, [peerId]: true }
  }

  clearSelection (): void {
    this.selected = {}
  }

  /**
   * Text pasted in the window (not on a card, a field or a dialog): goes to the Send text dialog of the first selected
   * peer (it sends to all selected, as a drop does), or of the only peer there is; never sent without the dialog's
   * confirmation. Returns false when there is no such peer (the person has to select one first).
   */
  pasteInWindow (text: string): boolean {
    const selected = this.peers.filter(p => this.selected[p.peerId] === true && !p.blocked)
    const to = selected[0] ?? (this.peers.length === 1 ? this.peers[0] : undefined)
    if (to == null) return false
    this.view = 'peers'
    this.pasteTo = { peerId: to.peerId, text }
    return true
  }

  /** The other selected peers a send to `peer` goes to as well (not blocked): none unless `peer` itself is selected. */
  alsoTo (peer: PeerView): string[] {
    if (this.selected[peer.peerId] !== true) return []
    return this.peers.filter(p => p.peerId !== peer.peerId && this.selected[p.peerId] === true && !p.blocked).map(p => p.peerId)
  }

  /** Why the send to some recipients of a send to several could not start, in words (null when all started). */
  private failedRecipients (started: SendStarted): string | null {
    const failed = (started.transfers ?? []).filter(r => r.error != null)
    if (failed.length === 0) return null
    return failed.map(r => t('peer.couldNotSend', { name: this.peers.find(p => p.peerId === r.peerId)?.name ?? r.peerId, error: r.error?.message ?? '' })).join(' ')
  }

  /**
   * Puts a peer returned by a call (addContact, addNearby, updateContact) into the list at once, so the page does not
   * depend on the `peers` event's timing; the event's list replaces it when it comes.
   */
  upsertPeer (peer: PeerView): void {
    const i = this.peers.findIndex(p => p.peerId === peer.peerId)
    this.peers = i < 0 ? [...this.peers, peer] : this.peers.map(p => p.peerId === peer.peerId ? peer : p)
  }

  /** Removes a peer from the list at once after `removeContact` (a nearby peer comes back with the next event). */
  dropPeer (peerId: string): void {
    this.peers = this.peers.filter(p => p.peerId !== peerId)
  }

  /** After adding a contact: show it, and its fingerprint on the Peers view. */
  added (peer: PeerView): void {
    this.upsertPeer(peer)
    this.justAdded = { ...this.justAdded, [peer.peerId]: true }
    this.view = 'peers'
  }

  /** Hides the fingerprint note of a new contact. */
  acknowledge (peerId: string): void {
    const { [peerId]: _gone, ...rest } = this.justAdded
    this.justAdded = rest
  }

  /**
   * The transfer to show on `peerId`'s card: the newest one with that peer, in either direction, that is running or
   * was started since this page opened — unless the person dismissed its line.
   */
  latestWith (peerId: string): TransferView | undefined {
    const t = this.transfers.find(x => x.peerId === peerId && (x.running || x.createdAt >= this.startedAt))
    return t == null || this.dismissedOnCard[t.id] != null ? undefined : t
  }

  /** Hides a finished transfer's line on its peer's card (Transfers and History keep it). */
  dismissOnCard (transferId: string): void {
    this.dismissedOnCard = { ...this.dismissedOnCard, [transferId]: true }
  }

  /** Cancels a running transfer (both sides record `cancelled`). */
  async cancel (t: TransferView): Promise<void> {
    this.cancelledBy = { ...this.cancelledBy, [t.id]: 'here' }
    const r = await this.run(api => api.cancelTransfer({ transferId: t.id }), tx('transfer.couldNotCancel'))
    if (r == null) {
      const { [t.id]: _undo, ...rest } = this.cancelledBy
      this.cancelledBy = rest
    }
  }

  /**
   * Answers an offer — accepting only `files` (indexes, increasing) when given; it leaves the list at once (the core
   * confirms with `offer-closed`).
   */
  async answer (offer: OfferView, accept: boolean, files?: number[]): Promise<void> {
    this.offers = this.offers.filter(o => o.transferId !== offer.transferId)
    // An accepted offer's progress shows in Transfers and on the sender's card, not in a toast.
    await this.run(api => api.answerOffer({ transferId: offer.transferId, accept, ...(accept && files != null ? { files } : {}) }))
  }
}

function sortTransfers (list: TransferView[]): TransferView[] {
  return list.sort((a, b) => b.createdAt - a.createdAt)
}

function withTimeout<T> (p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms)
    p.then(v => { clearTimeout(t); resolve(v) }, e => { clearTimeout(t); reject(e) })
  })
}

/** The page's one state. */
export const ferry = new FerryState()
