/**
 * Sending from the app: re-validating the files a host hands over (`sendLocalFiles` from the Electron preload, uploads
 * from the headless server), resolving, checking and routing the recipient through ./recipients.ts (as `ferry send`
 * does), and running the send in the background while `transfer` events report it. Also resume and cancel of sends, and the `cleanup` of
 * prepared files once a send can no longer use them.
 */
import { randomUUID } from 'node:crypto'
import { ApiError } from '../api/index.ts'
import { canResume, errorMessage, FerryError, findSendToResume, SharedReads } from '../core/index.ts'
import { PausedError } from '../core/errors/index.ts'
import type { LocalFile, Peer } from '../core/index.ts'
import type { ConnectionInfo } from '../core/node/index.ts'
import { RESUME_RETRY_FOR_MS } from '../core/index.ts'
import type { RecipientSend, SendStarted, TransferView } from '../api/index.ts'
import { failureOf, toApiError } from './errors.ts'
import { checkLocalFiles } from './local-files.ts'
import { describePath } from './path-words.ts'
import { checkRecipient, recordConnected, RecipientBlockedError, resolveRecipient, routeTo } from './recipients.ts'
import type { Recipient } from './recipients.ts'
import type { LocalFileEntry } from './local-files.ts'
import type { TransferViews } from './transfers-view.ts'
import { t } from '../text/index.ts'

/**
 * {@link checkLocalFiles} with every error as an {@link ApiError} a person understands (a refused relative path
 * becomes `unsafe-path` with the app's wording).
 */
export async function validateLocalFiles (files: readonly LocalFileEntry[], signal?: AbortSignal): Promise<LocalFile[]> {
  try {
    return await checkLocalFiles(files, signal)
  } catch (err) {
    throw toApiError(err)
  }
}

/** Options of {@link Sends}. */
export interface SendsInit {
  views: TransferViews
  /** The current peer. */
  peer: () => Peer
  /** The relays in use now (for peers with no relay of their own). */
  relays: () => string[]
  /** The name to show for a peer. */
  peerName: (peerId: string) => string
}

/** A send out of the outbox (./outbox.ts): the entry's ID becomes the transfer's, and `onConnected` runs on connect. */
export interface QueuedDelivery {
  transferId: string
  onConnected: () => void
}

/** Sends in progress that the app started, and what to clean up after them. */
export class Sends {
  private readonly init: SendsInit
  private readonly controllers = new Map<string, AbortController>()
  private readonly cleanups = new Map<string, () => Promise<void>>()
  private readonly tasks = new Set<Promise<void>>()
  private readonly stopping = new AbortController()

  constructor (init: SendsInit) {
    this.init = init
  }

  /**
   * Resolves and checks a recipient (./recipients.ts): a peer ID, a contact's name, or (unless `peerIdOnly`) a
   * multiaddr ending in `/p2p/<peer ID>`.
   * @throws {ApiError} `invalid-request` for text that is not a peer ID (with `peerIdOnly`), an address without a peer
   *   ID, or this device; `blocked` for a blocked contact; `unknown-contact` / `ambiguous-contact` for a name
   */
  recipient (to: string, options: { peerIdOnly?: boolean } = {}): Recipient & { peerId: string } {
    const peer = this.init.peer()
    let recipient: Recipient
    try {
      recipient = resolveRecipient(peer.store, to)
    } catch (err) {
      throw options.peerIdOnly === true ? new ApiError('invalid-request', t('app.notAPeerId')) : toApiError(err)
    }
    const { peerId } = recipient
    if ((options.peerIdOnly === true && recipient.by !== 'peer-id') || peerId == null) {
      throw new ApiError('invalid-request', peerId == null ? t('app.send.noPeerIdInAddress') : t('app.notAPeerId'))
    }
    try {
      checkRecipient(recipient, peer.peerId)
    } catch (err) {
      if (err instanceof RecipientBlockedError) throw new ApiError('blocked', t('app.send.blocked', { name: err.contactName }))
      throw toApiError(err)
    }
    return { ...recipient, peerId }
  }

  /**
   * Starts sending `files` to `to` in the background and returns its transfer ID at once (shown `connecting`). `to`
   * is a peer ID (the contract's `sendLocalFiles` and uploads: nothing else is taken), or a recipient
   * {@link Sends.recipient} resolved. The ID is that of an earlier interrupted send of the same files to that peer (it
   * resumes), else a new UUID. `cleanup` runs once the send ends completed, declined, cancelled, or
   * failed/interrupted and not resumable. `more.queued`: an outbox delivery (its entry's ID becomes the transfer ID);
   * `more.sharedReads`: the group of a send to several recipients, whose blocks are read once.
   *
   * @throws {ApiError} the errors of {@link Sends.recipient}; `already-running` when these files are being sent to it
   */
  start (to: string | (Recipient & { peerId: string }), files: LocalFile[], cleanup?: () => Promise<void>, more: { queued?: QueuedDelivery, sharedReads?: SharedReads } = {}): { transferId: string } {
    const { queued, sharedReads } = more
    const peer = this.init.peer()
    // A string is a peer ID only: a contact could be named like another peer's ID.
    const recipient = typeof to === 'string' ? this.recipient(to, { peerIdOnly: true }) : to
    const { peerId } = recipient
    const transferId = queued?.transferId ?? findSendToResume(peer.store, peerId, files) ?? randomUUID()
    if (this.controllers.has(transferId)) throw new ApiError('already-running', t('app.send.alreadySending'))
    if (cleanup != null) this.cleanups.set(transferId, cleanup)
    this.init.views.connecting(transferId, peerId, files.map(f => ({ path: f.relPath, size: f.size })))
    this.run(transferId, async (signal) => {
      try {
        const route = await routeTo(peer, recipient, this.init.relays(), signal)
        await peer.transfers.sendLocal(route.addr, files, { ...this.sendOptions(transferId, peerId, signal, queued?.onConnected), sharedReads })
      } finally {
        // Ended: the others of its group no longer keep blocks for it.
        sharedReads?.leave()
      }
    })
    return { transferId }
  }

  /**
   * Sends the same `files` to each of `peerIds` (peer IDs only, as {@link Sends.start}; a repeated one counts once):
   * a transfer per recipient, all running at once, each with its own progress, outcome and history, reading each block
   * of the files once for all of them where they keep up with each other (the core's `SharedReads`). A recipient that
   * cannot be sent to — blocked, this device, already being sent these files — gets its error in `transfers` and the
   * others go on; one that is offline or declines fails its own transfer only. `cleanup` runs once every transfer is
   * done with the files.
   *
   * @returns the first started transfer's ID, and for every recipient (in order) its transfer ID or its error
   * @throws {ApiError} the first recipient's error when none could start (`cleanup` then runs)
   */
  startMany (peerIds: readonly string[], files: LocalFile[], cleanup?: () => Promise<void>): SendStarted {
    const unique = [...new Set(peerIds)]
    const shared = new SharedReads(unique.length)
    let left = 0
    const once = cleanup == null ? undefined : async (): Promise<void> => { if (--left === 0) await cleanup() }
    const started = this.each(unique, (peerId) => {
      const result = this.start(peerId, files, once, { sharedReads: shared })
      left++
      return result
    }, () => { shared.leave() })
    if (left === 0) void cleanup?.().catch(() => {})
    return started
  }

  /** {@link Sends.startText} to each of `peerIds`, as {@link Sends.startMany} does with files. */
  startTextMany (peerIds: readonly string[], text: string): SendStarted {
    return this.each([...new Set(peerIds)], (peerId) => this.startText(peerId, text))
  }

  /**
   * Sends `send` (a send that failed, was cancelled, declined or interrupted) again: resumed when it can be
   * ({@link Sends.resume}), else started afresh with the same text, or the same files checked on disk again (the ID is
   * then a new one — or that of an earlier interrupted send of those files to that peer, which resumes).
   *
   * @throws {ApiError} `not-found` for an unknown transfer or a receive; `already-running` while it runs; the file
   *   errors of `sendLocalFiles` (`source-unreadable`, …) when a file is gone; the errors of {@link Sends.recipient}
   */
  async sendAgain (transferId: string, signal?: AbortSignal): Promise<{ transferId: string }> {
    const store = this.init.peer().store
    const record = store.transfers.get(transferId)
    if (record?.direction !== 'send') throw new ApiError('not-found', t('app.noSuchTransfer'))
    // Its view ended (the person saw it end); its task may still be winding down, which only a resume must wait for.
    if (this.init.views.isRunning(transferId)) throw new ApiError('already-running', t('app.send.alreadyRunning'))
    if (canResume(record)) return this.resume(transferId)
    if (record.kind === 'text') return this.startText(record.peerId, record.text ?? '')
    const entries = store.transfers.files(transferId).map(f => ({ path: f.localPath ?? '', relativePath: f.relPath }))
    return this.start(record.peerId, await validateLocalFiles(entries, signal))
  }

  /** Runs `startOne` for each recipient; a recipient's error is kept in its entry (and `failed` called for it). */
  private each (peerIds: string[], startOne: (peerId: string) => { transferId: string }, failed?: () => void): SendStarted {
    const transfers: RecipientSend[] = []
    let firstError: unknown
    for (const peerId of peerIds) {
      try {
        transfers.push({ peerId, transferId: startOne(peerId).transferId })
      } catch (err) {
        failed?.()
        firstError ??= err
        const apiError = toApiError(err)
        transfers.push({ peerId, error: { code: apiError.code, message: apiError.message } })
      }
    }
    const first = transfers.find(r => r.transferId != null)?.transferId
    if (first == null) throw toApiError(firstError)
    return { transferId: first, transfers }
  }

  /**
   * Starts sending text snippet `text` to peer `peerId` (a peer ID only, as {@link Sends.start}) in the background and
   * returns its new transfer ID at once (shown `connecting`). A snippet is never resumed.
   *
   * @throws {ApiError} the errors of {@link Sends.recipient}
   */
  startText (peerId: string, text: string, queued?: QueuedDelivery): { transferId: string } {
    const peer = this.init.peer()
    const recipient = this.recipient(peerId, { peerIdOnly: true })
    const transferId = queued?.transferId ?? randomUUID()
    this.init.views.connecting(transferId, peerId, [], text)
    this.run(transferId, async (signal) => {
      const route = await routeTo(peer, recipient, this.init.relays(), signal)
      await peer.transfers.sendText(route.addr, text, this.sendOptions(transferId, peerId, signal, queued?.onConnected))
    })
    return { transferId }
  }

  /**
   * Resumes an interrupted or failed send (recorded, accepted before) in the background: the receiver continues from
   * its last verified block.
   *
   * @throws {ApiError} code `not-resumable` when it is unknown, not a send, finished, or never accepted;
   *   `already-running` when it runs
   */
  resume (transferId: string): { transferId: string } {
    const peer = this.init.peer()
    const record = peer.store.transfers.get(transferId)
    if (this.controllers.has(transferId) || this.init.views.isRunning(transferId)) throw new ApiError('already-running', t('app.send.alreadyRunning'))
    if (record?.direction !== 'send' || !canResume(record)) {
      throw new ApiError('not-resumable', t('app.send.notResumable'))
    }
    this.init.views.resuming(transferId)
    this.run(transferId, async (signal) => {
      await peer.transfers.resumeSend(transferId, this.sendOptions(transferId, record.peerId, signal))
    })
    return { transferId }
  }

  /** Stops a send this app runs (also one still connecting). Returns false if it does not run one of that ID. */
  cancel (transferId: string): boolean {
    const controller = this.controllers.get(transferId)
    controller?.abort(new FerryError('cancelled', 'The transfer was cancelled'))
    return controller != null
  }

  /** Whether a send of that ID is running (connecting included). */
  has (transferId: string): boolean {
    return this.controllers.has(transferId)
  }

  /** Called with each transfer's final view: runs its `cleanup` when the files are no longer needed. */
  ended (view: TransferView): void {
    const cleanup = this.cleanups.get(view.id)
    if (cleanup == null || view.canResume) return
    this.cleanups.delete(view.id)
    cleanup().catch(() => { /* the host's cleanup reports its own errors */ })
  }

  /**
   * Pauses every send — recorded `interrupted` with code `paused` on both sides, so it can be resumed after the next
   * start (a send not accepted yet simply ends) — and waits until each has ended.
   */
  async stop (): Promise<void> {
    this.stopping.abort(new PausedError('Ferry was closed during the transfer; it can be resumed'))
    await Promise.allSettled([...this.tasks])
  }

  private sendOptions (transferId: string, peerId: string, signal: AbortSignal, connected?: () => void): Parameters<Peer['transfers']['sendLocal']>[2] {
    return {
      transferId,
      signal,
      retryForMs: RESUME_RETRY_FOR_MS,
      onConnected: (info: ConnectionInfo) => {
        connected?.()
        const store = this.init.peer().store
        recordConnected(store, peerId, info)
        // The path in words ("through Carol's Ferry"), looked up among the contacts; none once the store closed.
        let via: string | undefined
        try {
          via = describePath(info, store).text
        } catch { /* the store closed */ }
        this.init.views.patch(transferId, { state: 'offered', transport: info.transport, ...(via == null ? {} : { via }) })
      },
      onInterrupted: () => this.init.views.patch(transferId, { state: 'connecting', bytesPerSecond: undefined, etaMs: undefined })
    }
  }

  /** Runs `job` for transfer `transferId` with its own abort controller; a failure ends the view with its error. */
  private run (transferId: string, job: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController()
    this.controllers.set(transferId, controller)
    const signal = AbortSignal.any([controller.signal, this.stopping.signal])
    const task = job(signal).catch((err: unknown) => {
      const code = signal.aborted ? (signal.reason as { code?: string } | undefined)?.code ?? 'cancelled' : (err as { code?: string }).code ?? 'internal'
      this.init.views.finish(transferId, { ...failureOf(err), code, message: errorMessage(err) })
    }).finally(() => {
      this.controllers.delete(transferId)
      this.tasks.delete(task)
    })
    this.tasks.add(task)
  }
}
