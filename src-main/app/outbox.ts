/**
 * The app service's outbox: sends queued for a contact who is offline (./outbox-entries.ts stores and checks them),
 * delivered in the background when presence sees the contact online — at once when it already is, on the presence
 * `change` to online, at every start of the peer (presence checks every contact then), and every
 * {@link OUTBOX_RETRY_MS} ms while the contact stays online and an entry is still waiting (a dial that failed).
 *
 * Delivering an entry checks its files against what they were when queued (a file changed or gone: the entry ends as
 * a failed send in the history, `outbox-stale`, nothing sent), then sends it through ./send.ts with the entry's ID as
 * the transfer's ID; the entry leaves the outbox once the connection is up, and the usual offer/accept and resume
 * rules apply from there. A queued send that completes gets a `notice` (`outbox-delivered`).
 */
import type { OutboxView, TransferView } from '../api/index.ts'
import { ApiError, MAX_FILES_IN_EVENTS } from '../api/index.ts'
import type { PresenceState, PresenceTracker } from '../core/contacts/index.ts'
import { logger } from '../core/index.ts'
import type { LocalFile, Peer } from '../core/index.ts'
import type { OutboxEntry } from '../core/store/index.ts'
import { t } from '../text/index.ts'
import type { EventBus } from './events.ts'
import { toApiError } from './errors.ts'
import { checkQueued, OutboxStaleError, queueSend, recordStale } from './outbox-entries.ts'
import type { QueuedWhat } from './outbox-entries.ts'
import type { Sends } from './send.ts'
import type { TransferViews } from './transfers-view.ts'

/** While a contact with a waiting entry stays online, its entries are tried again this often, ms. */
export const OUTBOX_RETRY_MS = 30_000

const log = logger('app:outbox')

/** Options of {@link Outbox}. */
export interface OutboxInit {
  bus: EventBus
  views: TransferViews
  sends: Sends
  /** The current peer. */
  peer: () => Peer
  peerName: (peerId: string) => string
}

/** The app's outbox (see the module). */
export class Outbox {
  private readonly init: OutboxInit
  /** Entries being checked or offered now. */
  private readonly delivering = new Set<string>()
  /** Entries this run offered, until their transfer ends (for the `outbox-delivered` notice). */
  private readonly offered = new Set<string>()
  /** What to run once an entry's files are no longer needed (uploads to the headless server), by entry ID. */
  private readonly cleanups = new Map<string, () => Promise<void>>()
  private presence: PresenceTracker | undefined
  private detach: (() => void) | undefined
  private timer: NodeJS.Timeout | undefined

  constructor (init: OutboxInit) {
    this.init = init
  }

  /** Follows `presence` (a new peer session): delivers what waits for contacts online now and whenever one comes online. */
  attach (presence: PresenceTracker): void {
    this.stopFollowing()
    this.presence = presence
    const onChange = (p: PresenceState): void => { if (p.online) this.deliverTo(p.peerId) }
    presence.on('change', onChange)
    this.detach = () => presence.off('change', onChange)
    this.timer = setInterval(() => this.deliverAll(), OUTBOX_RETRY_MS)
    this.timer.unref()
    this.deliverAll()
    this.emit()
  }

  /** Stops following presence (the peer session stops). Deliveries in flight end with the sends (./send.ts). */
  stopFollowing (): void {
    clearInterval(this.timer)
    this.detach?.()
    this.detach = undefined
    this.presence = undefined
  }

  /**
   * Queues `what` for contact `peerId` (checked by the caller: a peer ID, not blocked) and returns the entry's ID — the
   * transfer's ID once offered. Presence is asked at once: a contact online gets it now.
   * @throws {ApiError} `not-a-contact` for a peer that is not a contact (presence follows contacts only),
   *   `outbox-full` over the outbox's bounds, `source-unreadable` for a file that cannot be read
   */
  async queue (peerId: string, what: QueuedWhat, cleanup?: () => Promise<void>, signal?: AbortSignal): Promise<{ transferId: string }> {
    const store = this.init.peer().store
    if (store.contacts.get(peerId) == null) throw new ApiError('not-a-contact', t('app.outbox.notAContact'))
    let entry: OutboxEntry
    try {
      entry = await queueSend(store, peerId, what, signal)
    } catch (err) {
      throw toApiError(err)
    }
    if (cleanup != null) this.cleanups.set(entry.id, cleanup)
    log('queued %s for %s: %d file(s), %d bytes', entry.id, peerId, entry.fileCount, entry.totalBytes)
    this.emit()
    const presence = this.presence
    if (presence?.get(peerId)?.online === true) this.deliverTo(peerId)
    else void presence?.check(peerId).then(p => { if (p?.online === true) this.deliverTo(peerId) }).catch(() => {})
    return { transferId: entry.id }
  }

  /** Removes entry `id` (stopping its offer if one is being made): nothing of it is sent. Returns whether it was queued. */
  cancel (id: string): boolean {
    const removed = this.init.peer().store.outbox.remove(id)
    if (removed) {
      this.init.sends.cancel(id)
      this.runCleanup(id)
      this.emit()
    }
    return removed
  }

  /** The outbox, oldest first. */
  list (): OutboxView[] {
    let store
    try {
      store = this.init.peer().store
    } catch {
      return []
    }
    return store.outbox.list().map(e => this.viewOf(e, store.outbox.files(e.id)))
  }

  /**
   * Called with each transfer's final view: a queued send that completed gets its `notice`; a host's cleanup runs once
   * the entry left the outbox and its transfer can no longer resume.
   */
  ended (view: TransferView): void {
    const offered = this.offered.delete(view.id)
    if (this.cleanups.has(view.id) && !view.canResume && !this.isQueued(view.id)) this.runCleanup(view.id)
    if (!offered || view.state !== 'completed') return
    this.init.bus.emit('notice', { level: 'info', code: 'outbox-delivered', message: t('app.outbox.delivered', { name: view.peerName }) })
  }

  /** Whether entry `id` is still in the outbox (true when the store cannot say: the cleanup waits). */
  private isQueued (id: string): boolean {
    try {
      return this.init.peer().store.outbox.get(id) != null
    } catch {
      return true
    }
  }

  private viewOf (e: OutboxEntry, files: ReadonlyArray<{ relPath: string, size: number }>): OutboxView {
    const view: OutboxView = {
      id: e.id, peerId: e.peerId, peerName: this.init.peerName(e.peerId), totalBytes: e.totalBytes, fileCount: e.fileCount,
      createdAt: e.createdAt, delivering: this.delivering.has(e.id)
    }
    if (e.kind === 'text') Object.assign(view, { kind: 'text', text: e.text })
    if (files.length > 0 && files.length <= MAX_FILES_IN_EVENTS) view.files = files.map(f => ({ path: f.relPath, size: f.size }))
    return view
  }

  private emit (): void {
    this.init.bus.emit('outbox', this.list())
  }

  private runCleanup (id: string): void {
    const cleanup = this.cleanups.get(id)
    this.cleanups.delete(id)
    cleanup?.().catch(() => { /* the host's cleanup reports its own errors */ })
  }

  /** Delivers every waiting entry whose contact presence shows online. */
  private deliverAll (): void {
    const presence = this.presence
    if (presence == null) return
    let entries: OutboxEntry[]
    try {
      entries = this.init.peer().store.outbox.list()
    } catch {
      return
    }
    for (const peerId of new Set(entries.map(e => e.peerId))) if (presence.get(peerId)?.online === true) this.deliverTo(peerId)
  }

  /** Delivers the entries waiting for `peerId`, oldest first. */
  private deliverTo (peerId: string): void {
    let entries: OutboxEntry[]
    try {
      entries = this.init.peer().store.outbox.list(peerId)
    } catch {
      return
    }
    for (const entry of entries) if (!this.delivering.has(entry.id) && !this.init.sends.has(entry.id)) void this.deliver(entry)
  }

  private async deliver (entry: OutboxEntry): Promise<void> {
    this.delivering.add(entry.id)
    this.emit()
    const store = this.init.peer().store
    try {
      let what: QueuedWhat
      try {
        what = await checkQueued(store, entry.id)
      } catch (err) {
        if (!(err instanceof OutboxStaleError)) throw err
        log('queued %s is stale (%s): not sent', entry.id, err.reason)
        const files = store.outbox.files(entry.id).map(f => ({ path: f.relPath, size: f.size }))
        const record = recordStale(store, entry.id, err)
        this.init.views.connecting(entry.id, entry.peerId, files, entry.text)
        this.init.views.finish(entry.id, { record, state: 'failed', code: err.code, reason: err.reason, message: err.message })
        this.runCleanup(entry.id)
        return
      }
      // Cancelled while its files were checked: nothing of it is sent.
      if (store.outbox.get(entry.id) == null) return
      const queued = {
        transferId: entry.id,
        onConnected: () => {
          this.offered.add(entry.id)
          if (store.outbox.remove(entry.id)) this.emit()
        }
      }
      log('delivering %s to %s', entry.id, entry.peerId)
      if (what.text != null) this.init.sends.startText(entry.peerId, what.text, queued)
      else this.init.sends.start(entry.peerId, what.files as LocalFile[], undefined, { queued })
    } catch (err) {
      log('queued %s could not be offered now: %s', entry.id, (err as Error).message)
    } finally {
      this.delivering.delete(entry.id)
      this.emit()
    }
  }
}
