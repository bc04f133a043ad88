/**
 * Transfer views: one {@link TransferView} per running transfer, kept up to date from the transfer service's events
 * (offer, progress, resuming, complete, failed, declined) and the sends the app starts. A transfer's ending comes with
 * its final record in the event (the history is not read again to learn it); finished transfers listed later come
 * from the store. Which states are running and which can resume is the core's (`core/transfer/lifecycle.ts`). Emits `transfer` on every state change at once, and on progress at most every
 * {@link PROGRESS_EMIT_MS} ms per transfer.
 *
 * A send that failed or was cancelled before its offer was made has no store record; its view is kept in memory for
 * this run (the newest {@link MAX_UNRECORDED} of them).
 */
import { savedNameOf } from './saved-names.ts'
import { MAX_FILES_IN_EVENTS, TEXT_PREVIEW_CHARS } from '../api/index.ts'
import type { FileView, TransferStateView, TransferView } from '../api/index.ts'
import { canResume, isUnfinished, stateOfPeerCode } from '../core/index.ts'
import type { IncomingOffer, TransferProgress, TransferState } from '../core/index.ts'
import { historyOf, HISTORY_LIMIT } from './history.ts'
import { describePath } from './path-words.ts'
import type { Store, TransferFileRecord, TransferRecord } from '../core/store/index.ts'
import { describeFailure } from './errors.ts'
import type { Failure } from '../text/index.ts'
import type { EventBus } from './events.ts'

/** Least interval between two progress `transfer` events of one transfer, ms (contract: at most every 250 ms). */
export const PROGRESS_EMIT_MS = 250
/** Views of sends that ended before they were recorded, kept for this run. */
export const MAX_UNRECORDED = 100

/** Options of {@link TransferViews}. */
export interface TransferViewsInit {
  bus: EventBus
  /** The current peer's store; undefined once the app stopped. */
  store: () => Store | undefined
  /** The name to show for a peer (contact name, announced name, `peer-<shortId>`). */
  peerName: (peerId: string) => string
  /** Whether a peer is a contact (a view of any other peer marks its name as unverified). */
  isContact: (peerId: string) => boolean
  /** Whether the host can show received files in a folder. */
  canShowInFolder: boolean
  /** Called once with the final view when a transfer ends (any terminal or interrupted state). */
  onEnded?: (view: TransferView) => void
}

// The view's states are the core's, plus `connecting`: a state added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const statesMatch: Same<TransferStateView, TransferState | 'connecting'> = true
void statesMatch

/** Whether a view in `state` is running: connecting, or a state the core counts as unfinished. */
export function isRunningView (state: TransferStateView): boolean {
  return state === 'connecting' || isUnfinished(state)
}

/** How a shown transfer ended: from the transfer service's `complete`, `failed` or `declined` event, or a failed send. */
export interface TransferEnding extends Partial<Failure> {
  /** Its final record, when it is recorded: the view shows it. */
  record?: TransferRecord
  /** How it ended when it has no record (default: from `code`, ./lifecycle.ts `stateOfPeerCode`). */
  state?: TransferState
}

/** The state of an ending with no record: a person declining or an offer expiring is `declined`; `aborted` is a cancel. */
function unrecordedState (ending: TransferEnding): TransferState {
  if (ending.state != null) return ending.state
  const code = ending.code ?? 'internal'
  return code === 'offer-expired' ? 'declined' : code === 'aborted' ? 'cancelled' : stateOfPeerCode(code)
}

function filesOf (files: ReadonlyArray<{ path: string, size: number }>): FileView[] | undefined {
  return files.length > MAX_FILES_IN_EVENTS ? undefined : files.map((f, index) => ({ index, path: f.path, size: f.size }))
}

/** A snippet's fields of a view, with its whole text (kept here; {@link preview} bounds what is emitted). */
function textFields (text: string): Pick<TransferView, 'kind' | 'text' | 'textBytes'> {
  return { kind: 'text', text, textBytes: Buffer.byteLength(text, 'utf8') }
}

/**
 * The view as events, snapshots and history carry it: a snippet's text cut to its first `TEXT_PREVIEW_CHARS`
 * characters (never inside a surrogate pair), `textTruncated` set; `getTransfer` gives it whole.
 */
export function preview (view: TransferView): TransferView {
  if (view.text == null || view.text.length <= TEXT_PREVIEW_CHARS) return view
  const high = view.text.charCodeAt(TEXT_PREVIEW_CHARS - 1)
  const end = high >= 0xd800 && high <= 0xdbff ? TEXT_PREVIEW_CHARS - 1 : TEXT_PREVIEW_CHARS
  return { ...view, text: view.text.slice(0, end), textTruncated: true }
}

function fileViewOf (f: TransferFileRecord, record?: TransferRecord): FileView {
  const savedName = record == null ? undefined : savedNameOf(record, f)
  return { index: f.index, path: f.relPath, size: f.size, bytesDone: f.bytesDone, state: f.state, ...(savedName == null ? {} : { savedName }) }
}

/** Keeps and emits the views of transfers. */
export class TransferViews {
  private readonly init: TransferViewsInit
  private readonly running = new Map<string, TransferView>()
  private readonly unrecorded = new Map<string, TransferView>()
  private readonly progressAt = new Map<string, number>()

  constructor (init: TransferViewsInit) {
    this.init = init
  }

  /** Whether any transfer is running (connecting, offered, accepted or transferring). */
  get busy (): boolean {
    return this.running.size > 0
  }

  /** The IDs of the running transfers in `direction`. */
  runningIds (direction: 'send' | 'receive'): string[] {
    return [...this.running.values()].filter(v => v.direction === direction).map(v => v.id)
  }

  /** Whether transfer `id` is running. */
  isRunning (id: string): boolean {
    return this.running.has(id)
  }

  /** A send the app is starting: shown `connecting` until the connection is up. */
  connecting (id: string, peerId: string, files: ReadonlyArray<{ path: string, size: number }>, text?: string): TransferView {
    const view: TransferView = {
      id, direction: 'send', peerId, peerName: this.init.peerName(peerId), isContact: this.init.isContact(peerId), state: 'connecting',
      totalBytes: text == null ? files.reduce((n, f) => n + f.size, 0) : Buffer.byteLength(text, 'utf8'), transferredBytes: 0, fileCount: files.length,
      createdAt: Date.now(), canShowInFolder: false, running: true, canResume: false, canCancel: true
    }
    if (text != null) Object.assign(view, textFields(text))
    const listed = filesOf(files)
    if (listed != null) view.files = listed
    this.show(view)
    return view
  }

  /** A send the app resumes: its recorded view, shown `connecting`. */
  resuming (id: string): void {
    const view = this.fromStore(id)
    if (view != null) this.show({ ...view, state: 'connecting', error: undefined, finishedAt: undefined })
  }

  /**
   * An incoming offer shown to the person (`offered`) or accepted without asking (`accepted`). Offers refused unseen
   * (by policy, `busy`) never get a view: they are no transfer, and a peer that is not a contact cannot make one appear.
   */
  received (offer: IncomingOffer, state: 'offered' | 'accepted'): void {
    const view: TransferView = {
      id: offer.transferId, direction: 'receive', peerId: offer.peerId, peerName: this.init.peerName(offer.peerId),
      isContact: this.init.isContact(offer.peerId),
      state, totalBytes: offer.totalBytes, transferredBytes: 0, fileCount: offer.files.length,
      transport: offer.connection.transport, createdAt: Date.now(), canShowInFolder: false, running: true, canResume: false, canCancel: true
    }
    if (offer.kind === 'text') Object.assign(view, textFields(offer.text ?? ''))
    const listed = filesOf(offer.files)
    if (listed != null) view.files = listed
    this.show(view)
  }

  /** Changes fields of a running transfer's view and emits it (a state change or a connection). */
  patch (id: string, patch: Partial<TransferView>): void {
    const view = this.running.get(id) ?? this.fromStore(id)
    if (view == null) return
    // A late patch never brings an ended transfer back to life (it would count as running forever).
    if (!this.running.has(id) && !isRunningView(patch.state ?? view.state)) return
    this.show({ ...view, ...patch })
  }

  /** Progress from the transfer service; emitted at most every {@link PROGRESS_EMIT_MS} ms per transfer. */
  progress (p: TransferProgress): void {
    const view = this.running.get(p.transferId) ?? this.fromStore(p.transferId)
    if (view == null) return
    const next: TransferView = {
      ...view, state: 'transferring', transferredBytes: p.transferredBytes, totalBytes: p.totalBytes,
      bytesPerSecond: p.bytesPerSecond, currentFile: p.filePath, etaMs: p.etaMs, running: true, canCancel: true
    }
    this.running.set(p.transferId, next)
    const now = Date.now()
    if (view.state !== 'transferring' || now - (this.progressAt.get(p.transferId) ?? 0) >= PROGRESS_EMIT_MS) {
      this.progressAt.set(p.transferId, now)
      this.init.bus.emit('transfer', preview(next))
    }
  }

  /**
   * Transfer `id` ended (completed, declined, failed, interrupted, cancelled): its view from the final record the
   * ending carries (with its per-file rows, as `get` reads them), or — for a send that ended before it was recorded,
   * or an offer from a peer that is not a contact, which is recorded only once accepted — from the ending's state.
   * Emits it and calls `onEnded` once.
   */
  finish (id: string, ending: TransferEnding = {}): void {
    const live = this.running.get(id)
    if (live == null) return // not shown by this app, or already ended
    this.running.delete(id)
    const record = ending.record
    if (record != null && isUnfinished(record.state)) { // still running (a newer stream of it): another event ends it
      this.running.set(id, live)
      return
    }
    let view: TransferView
    if (record != null) {
      view = this.viewOf(record)
      if (record.fileCount <= MAX_FILES_IN_EVENTS) view.files = this.filesOf(id) ?? live.files
    } else {
      view = { ...live, state: unrecordedState(ending), finishedAt: Date.now(), running: false, canCancel: false, canResume: false, bytesPerSecond: undefined, etaMs: undefined, currentFile: undefined }
      this.unrecorded.set(id, view)
      for (const old of this.unrecorded.keys()) if (this.unrecorded.size > MAX_UNRECORDED) this.unrecorded.delete(old)
    }
    if (ending.code != null && view.state !== 'completed') {
      const { record: _record, state: _state, ...failure } = ending
      view.error = describeFailure({ ...failure, code: ending.code }, { peerName: view.peerName, direction: view.direction })
    }
    this.progressAt.delete(id)
    this.init.bus.emit('transfer', preview(view))
    this.init.onEnded?.(view)
  }

  /** Transfer `id` with its per-file list and a snippet's whole text (running, recorded, or ended before it was recorded). */
  get (id: string): TransferView | undefined {
    const recorded = this.fromStore(id, { files: true })
    const live = this.running.get(id)
    if (live != null) return recorded == null ? live : { ...live, files: recorded.files }
    return recorded ?? this.unrecorded.get(id)
  }

  /**
   * Running and finished transfers, newest first, optionally of one peer; at most `limit` (default `HISTORY_LIMIT`);
   * snippets' texts cut to their {@link preview}.
   */
  list (options: { peerId?: string, limit?: number } = {}): TransferView[] {
    const limit = options.limit ?? HISTORY_LIMIT
    const byId = new Map<string, TransferView>()
    const store = this.store()
    for (const { record } of store == null ? [] : historyOf(store, { peerId: options.peerId, limit })) byId.set(record.id, this.viewOf(record))
    for (const v of [...this.unrecorded.values(), ...this.running.values()]) {
      if (options.peerId == null || v.peerId === options.peerId) byId.set(v.id, v)
    }
    return [...byId.values()].sort((a, b) => b.createdAt - a.createdAt).slice(0, limit).map(preview)
  }

  /** Forgets the running views (the app stopped: their transfers were cancelled). */
  clear (): void {
    this.running.clear()
    this.progressAt.clear()
  }

  private store (): Store | undefined {
    try {
      return this.init.store()
    } catch {
      return undefined
    }
  }

  private show (view: TransferView): void {
    const running = { ...view, running: true, canCancel: true, canResume: false }
    this.running.set(view.id, running)
    this.init.bus.emit('transfer', preview(running))
  }

  /** The view of a recorded transfer, or undefined (unknown, or the store is closed). */
  private fromStore (id: string, options: { files?: boolean } = {}): TransferView | undefined {
    try {
      const store = this.init.store()
      const record = store?.transfers.get(id)
      if (store == null || record == null) return undefined
      const view = this.viewOf(record)
      if (options.files === true || record.fileCount <= MAX_FILES_IN_EVENTS) {
        const files = store.transfers.files(id)
        if (options.files === true || files.length <= MAX_FILES_IN_EVENTS) view.files = files.map(f => fileViewOf(f, record))
      }
      return view
    } catch {
      return undefined // the store closed while the app stops
    }
  }

  /** The per-file rows of transfer `id`, or undefined when the store is closed. */
  private filesOf (id: string): FileView[] | undefined {
    try {
      const store = this.init.store()
      const record = store?.transfers.get(id)
      return store?.transfers.files(id).map(f => fileViewOf(f, record))
    } catch {
      return undefined
    }
  }

  private viewOf (r: TransferRecord): TransferView {
    const running = this.running.has(r.id)
    const peerName = this.init.peerName(r.peerId)
    const view: TransferView = {
      id: r.id, direction: r.direction, peerId: r.peerId, peerName, isContact: this.init.isContact(r.peerId), state: r.state, totalBytes: r.totalBytes,
      transferredBytes: r.transferredBytes, fileCount: r.fileCount, createdAt: r.createdAt,
      canShowInFolder: this.init.canShowInFolder && r.direction === 'receive' && r.state === 'completed',
      running: running || isUnfinished(r.state),
      canResume: !running && r.direction === 'send' && canResume(r),
      canCancel: running
    }
    if (r.transport != null) view.transport = r.transport
    // A relayed circuit's path in words (whose Ferry relayed it); the ICE pair of a WebRTC one is not recorded.
    const store = r.transport === 'circuit-relay' && r.remoteAddr != null ? this.init.store() : undefined
    if (store != null && r.remoteAddr != null) view.via = describePath({ transport: 'circuit-relay', remoteAddr: r.remoteAddr }, store).text
    if (r.finishedAt != null) view.finishedAt = r.finishedAt
    if (r.kind === 'text') Object.assign(view, textFields(r.text ?? ''))
    if (r.skippedFiles != null) view.notAcceptedFiles = r.skippedFiles
    if (r.errorCode != null && r.state !== 'completed') {
      const failure: Failure = { code: r.errorCode, reason: r.errorReason, peerMessage: r.errorPeerMessage, message: r.errorMessage }
      view.error = describeFailure(failure, { peerName, direction: r.direction })
    }
    return view
  }
}
