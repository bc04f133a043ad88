import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { errorMessage, FerryError, isFailureReason } from '../errors/index.ts'
import type { DeviceKind } from '../protocol/index.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { lstat } from 'node:fs/promises'
import { dialDirect, describeConnection } from '../node/index.ts'
import { validateFileList } from '../paths/index.ts'
import { MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, TRANSFER_PROTOCOL, TransferError, textProblem } from '../protocol/index.ts'
import type { TransferRecord } from '../store/index.ts'
import { StreamClosedError } from './channel.ts'
import { Attempts, reportedError } from './attempts.ts'
import { RESUME_RETRY_DELAY_MS, STOP_WAIT_MS } from './constants.ts'
import { collectFiles } from './local-files.ts'
import { OfferBudget } from './offer-budget.ts'
import type { LocalFile } from './local-files.ts'
import { receiveTransfer } from './receiver.ts'
import { outcomeOf } from './outcome.ts'
import { downloadRootsOf, PARTIAL_SWEEP_INTERVAL_MS, sweepPartialFiles } from './partial-files.ts'
import { canResume } from './lifecycle.ts'
import type { SendOptions, TransferEvents, TransferFailure, TransferServiceInit } from './service-types.ts'
import { findSendToResume } from './resume.ts'
import { sendFiles } from './sender.ts'
import { STRANGER } from './types.ts'
import type { IncomingOffer, OfferDecision, PeerStanding, TransferResult } from './types.ts'
import { TransferJobs } from './jobs.ts'
import { allOf, RateLimiter } from './rate-limit.ts'
import type { Throttle } from './rate-limit.ts'

export type { SendOptions, TransferEvents, TransferFailure, TransferServiceInit } from './service-types.ts'

/**
 * The options the transfer handler is registered with: never on limited connections, at most `MAX_INBOUND_STREAMS`
 * incoming and `MAX_OUTBOUND_STREAMS` outgoing transfer streams per connection (docs/PROTOCOL.md §2).
 */
export const TRANSFER_HANDLER_OPTIONS = Object.freeze({
  runOnLimitedConnection: false,
  maxInboundStreams: MAX_INBOUND_STREAMS,
  maxOutboundStreams: MAX_OUTBOUND_STREAMS
})

/**
 * Sends and receives transfers for one node: registers the `/ferry/transfer/1.0.0` handler (refused on limited
 * connections, at most `MAX_INBOUND_STREAMS` at once per connection) and sends files to a peer's multiaddr.
 * Everything is recorded in the store; events report offers, progress and outcomes.
 */
export class TransferService extends EventEmitter<TransferEvents> {
  private readonly init: TransferServiceInit
  /** Transfers in progress, each with the peer it is with ('' while a send has not connected). */
  private readonly jobs = new TransferJobs()
  private readonly budget: OfferBudget
  /** Transfers being received, by transfer ID: the sending peer, the stream, and when the receive has ended. */
  private readonly receiving = new Map<string, { peerId: string, stream: Stream, ended: Promise<void> }>()
  private sweepTimer: ReturnType<typeof setInterval> | undefined
  /** The upload limit of all sends together (`uploadBytesPerSecond`). */
  private readonly uploadLimit: RateLimiter

  constructor (init: TransferServiceInit) {
    super()
    this.init = { ...init }
    this.budget = new OfferBudget(init.offerLimits)
    this.uploadLimit = new RateLimiter(init.uploadBytesPerSecond)
  }

  /** Changes the upload limit of all sends together, bytes per second (undefined: none); running sends follow it. */
  setUploadLimit (bytesPerSecond: number | undefined): void {
    this.uploadLimit.setRate(bytesPerSecond)
  }

  /** Changes the display name sent with the next offers (offers already sent keep theirs). */
  setDisplayName (displayName: string | undefined): void {
    this.init.displayName = displayName
  }

  /** Changes the kind of device sent with the next offers. */
  setDeviceKind (deviceKind: DeviceKind | undefined): void {
    this.init.deviceKind = deviceKind
  }

  /** Changes the folder the next incoming transfers are written into (running and resumed ones keep theirs). */
  setDownloadDir (downloadDir: string): void {
    this.init.downloadDir = downloadDir
  }

  /**
   * Removes partial files nothing will resume (`sweepPartialFiles`, docs/PROTOCOL.md §7) in every download folder
   * the history knows; returns how many. Runs at {@link start} and then every `PARTIAL_SWEEP_INTERVAL_MS`.
   */
  async sweepPartialFiles (now?: number): Promise<number> {
    const roots = downloadRootsOf(this.init.store, this.init.downloadDir)
    return await sweepPartialFiles(this.init.store, roots, (id) => this.receiving.has(id), now)
  }

  /** Registers the protocol handler, and sweeps partial files now and periodically. */
  async start (): Promise<void> {
    await this.sweepPartialFiles().catch(() => 0)
    this.sweepTimer ??= setInterval(() => { void this.sweepPartialFiles().catch(() => 0) }, PARTIAL_SWEEP_INTERVAL_MS)
    this.sweepTimer.unref()
    await this.init.node.handle(TRANSFER_PROTOCOL, (stream, conn) => { void this.handleStream(stream, conn) }, TRANSFER_HANDLER_OPTIONS)
  }

  /** The receive policy's standing of `peerId` (./types.ts `PeerStanding`). */
  private standing (peerId: string): PeerStanding {
    return this.init.classify?.(peerId) ?? STRANGER
  }

  /**
   * The decision policy with flood control (./offer-budget.ts): a peer with `MAX_PENDING_OFFERS_PER_PEER` undecided
   * offers, or a full budget of its class — contacts and other peers each have their own — gets `busy` without anyone
   * being asked; an offer from a peer that is not a contact that nobody answers expires with `timeout`.
   */
  private async decide (offer: IncomingOffer, signal: AbortSignal): Promise<OfferDecision> {
    const decide = this.init.decide
    if (decide == null) return { accept: false, reason: 'This peer does not accept files' }
    return this.budget.run(offer, this.standing(offer.peerId).contact, signal, async (s) => decide(offer, s), () => this.emit('offer', offer))
  }

  /**
   * Unregisters the handler and cancels transfers in progress; resolves once they ended — recorded cancelled, the
   * peer told — or after `STOP_WAIT_MS`, so that the store is not closed under a transfer still recording its end.
   */
  async stop (): Promise<void> {
    clearInterval(this.sweepTimer)
    this.sweepTimer = undefined
    await this.init.node.unhandle(TRANSFER_PROTOCOL)
    this.jobs.abortAll()
    await Promise.race([this.jobs.idle(), sleep(STOP_WAIT_MS, undefined, { ref: false })])
  }

  /**
   * Ends every transfer in progress with `peerId`, in either direction, as cancelled (the peer is told `cancelled`;
   * a partial file is removed): the peer was blocked. Returns how many were running.
   */
  endTransfersWith (peerId: string): number {
    return this.jobs.endWith(peerId)
  }

  /**
   * Cancels a transfer in progress (either direction): the peer is told `cancelled`, both sides record it cancelled,
   * and a partial file on the receiving side is removed. Returns false when no such transfer is running.
   */
  cancel (transferId: string): boolean {
    return this.jobs.cancel(transferId)
  }

  /**
   * Pauses a transfer in progress (either direction): it stops like a cancel, but both sides record it as
   * `interrupted` with code `paused` and keep what was verified; the sender resumes it with {@link resumeSend}.
   * Returns false when no such transfer is running.
   */
  pause (transferId: string): boolean {
    return this.jobs.pause(transferId)
  }

  /**
   * The `/ferry/transfer/1.0.0` handler that {@link start} registers (with {@link TRANSFER_HANDLER_OPTIONS}): a blocked
   * peer's stream is reset and its connections closed; any other stream is received (`receiveTransfer`), and its end
   * reported by the `complete`, `failed` or `declined` event. Never throws.
   */
  async handleStream (stream: Stream, conn: Connection): Promise<void> {
    const peerId = conn.remotePeer.toString()
    if (this.init.isBlocked?.(peerId) === true) {
      stream.abort(new FerryError('blocked', 'The peer is blocked'))
      this.endTransfersWith(peerId)
      await this.init.node.hangUp(conn.remotePeer).catch(() => {})
      return
    }
    const job = this.jobs.track(undefined, peerId)
    const ended = Promise.withResolvers<void>()
    let transferId: string | undefined
    try {
      const result = await receiveTransfer(stream, conn, {
        store: this.init.store,
        downloadDir: this.init.downloadDir,
        signal: job.signal,
        decide: async (offer, signal) => this.decide(offer, signal),
        standing: (id) => this.standing(id),
        onTransferId: (id) => job.setId(id),
        onOfferFor: async (id) => {
          if (!await this.claim(id, { peerId, stream, ended: ended.promise })) return false
          transferId = id
          return true
        },
        timeouts: this.init.timeouts,
        onAccepted: (offer) => this.emit('accepted', offer),
        onResume: (offer, skippedBytes) => this.emit('resuming', { transferId: offer.transferId, direction: 'receive', peerId: offer.peerId, skippedBytes }),
        onDeclined: (offer, why) => this.emit('declined', offer, { ...why, record: this.recordOf(offer.transferId) }),
        onProgress: (p) => this.emit('progress', p)
      })
      if (result != null) this.emit('complete', result, this.recordOf(result.transferId))
    } catch (err) {
      this.emitFailed(err, { transferId, direction: 'receive', peerId }, job.signal)
    } finally {
      if (transferId != null && this.receiving.get(transferId)?.stream === stream) this.receiving.delete(transferId)
      ended.resolve()
      job.done()
    }
  }

  /**
   * Claims transfer ID `transferId` for the stream of `entry` before the offer is looked up in the history. If
   * `entry.peerId` offers a transfer while it is still being received here from that same peer: the sender
   * restarted or reconnected before this side noticed that the old connection is dead (a killed WebRTC peer goes
   * unnoticed for ~15 s). The old stream is ended as if the connection dropped — recorded interrupted, partial file
   * kept — and this resolves once that is recorded, so the new offer resumes the transfer instead of being refused as
   * a reused ID. Peer IDs are authenticated by the connection: no peer can end another peer's transfer this way.
   * Resolves true once `entry` holds the ID (checked and set in one synchronous step); false when another peer's
   * offer or transfer holds it — even one not recorded yet, so an offer can never pass for another that waits.
   */
  private async claim (transferId: string, entry: { peerId: string, stream: Stream, ended: Promise<void> }): Promise<boolean> {
    while (true) {
      const old = this.receiving.get(transferId)
      if (old == null) {
        this.receiving.set(transferId, entry)
        return true
      }
      if (old.peerId !== entry.peerId) return false
      old.stream.abort(new StreamClosedError('The sender reconnected; its earlier stream was abandoned'))
      await old.ended
    }
  }

  /**
   * Sends files and folders (folders with their structure) to the peer at `to`, typically its
   * `<relay>/p2p-circuit/webrtc/p2p/<peer ID>` address, or a direct TCP address on a LAN.
   * The paths are where the files enter (the CLI's arguments): they are listed (`collectFiles`) and the relative paths
   * they get checked (`validateFileList`) before dialing; the dial is retried; file bytes only ever flow over a direct
   * connection.
   *
   * @throws {SourcePathError} when a path cannot be read
   * @throws {UnsafePathError} when a file name could not be written safely on the other side
   * @throws {DialError} when the peer cannot be reached
   * @throws {RemoteError} with code `declined` when the receiver declines
   * @throws the errors of `sendFiles` otherwise
   */
  async send (to: Multiaddr, paths: readonly string[], options: SendOptions = {}): Promise<TransferResult> {
    const listed = await collectFiles(paths, options.signal).then(({ files, skipped }) => {
      validateFileList(files.map(f => f.relPath))
      return { files, skipped }
    }).catch((err: unknown) => {
      this.emitFailed(err, { direction: 'send', peerId: peerIdOf(to) })
      throw err
    })
    if (listed.skipped.length > 0) options.onSkipped?.(listed.skipped)
    return this.deliver(to, listed.files, options)
  }

  /**
   * Resumes an interrupted or paused send recorded in the store: dials the peer at the address it was reached at and
   * sends the same files again; the receiver continues from its last verified block.
   *
   * @throws {FerryError} code `not-resumable` when the transfer is unknown, not a send, finished, or never accepted,
   *   or a source file is gone or changed size
   */
  async resumeSend (transferId: string, options: SendOptions = {}): Promise<TransferResult> {
    const store = this.init.store
    const record = store.transfers.get(transferId)
    if (record?.direction !== 'send' || !canResume(record) || record.remoteAddr == null) {
      throw new FerryError('not-resumable', `Transfer ${transferId} cannot be resumed`)
    }
    const files: LocalFile[] = []
    for (const f of store.transfers.files(transferId)) {
      const size = await lstat(f.localPath ?? '').then(st => st.isFile() ? st.size : -1, () => -1)
      if (size !== f.size) throw new FerryError('not-resumable', `${f.localPath ?? f.relPath} is gone or changed since the transfer started`)
      files.push({ relPath: f.relPath, absPath: f.localPath ?? '', size })
    }
    return this.deliver(multiaddr(record.remoteAddr), files, { ...options, transferId })
  }

  /**
   * Sends files already listed and checked where they entered (the app's `checkLocalFiles` for a desktop drop, the
   * server's upload store): every `relPath` passed the path-safety rules and every `absPath` was a readable regular
   * file of `size` bytes. They are not checked again on the way; the sender opens each one without following links
   * and refuses it (`read-failed`) if it is no longer a regular file of at least its size. Otherwise as {@link send}.
   */
  async sendLocal (to: Multiaddr, files: readonly LocalFile[], options: SendOptions = {}): Promise<TransferResult> {
    return this.deliver(to, [...files], options)
  }

  /**
   * Sends a text snippet (docs/PROTOCOL.md §4 "offer", kind `text`): at most `MAX_TEXT_BYTES` bytes of UTF-8, carried
   * inline in the offer and recorded with the transfer; the receiver keeps it in its history, not on disk. A snippet
   * is never resumed: an interruption fails it (`retryForMs` is ignored).
   *
   * @throws {TransferError} code `invalid-offer` when `text` is empty, not well-formed Unicode, or over the limit
   * @throws the errors of {@link send} otherwise
   */
  async sendText (to: Multiaddr, text: string, options: SendOptions = {}): Promise<TransferResult> {
    const problem = text.length === 0 ? 'The text is empty' : textProblem(text)
    if (problem != null) {
      const err = new TransferError('invalid-offer', problem)
      this.emitFailed(err, { direction: 'send', peerId: peerIdOf(to) })
      throw err
    }
    return this.deliver(to, [], { ...options, retryForMs: 0 }, text)
  }

  /**
   * Dials `to` and sends `files`; after an interruption re-dials and resumes until `retryForMs` runs out. Which earlier
   * send it resumes is decided once (docs/PROTOCOL.md §8): `options.transferId` when the caller chose it, else
   * `findSendToResume` at the first connection (the peer ID is known then); a later attempt resumes the transfer the
   * first one recorded.
   */
  private async deliver (to: Multiaddr, files: LocalFile[], options: SendOptions, text?: string): Promise<TransferResult> {
    let peerId = peerIdOf(to)
    const job = this.jobs.track(options.signal, peerId)
    const throttle = allOf([options.limitBytesPerSecond == null ? undefined : new RateLimiter(options.limitBytesPerSecond), this.uploadLimit])
    let transferId = options.transferId
    let looked = transferId != null
    try {
      const attempts = new Attempts(Date.now() + (options.retryForMs ?? 0), text == null)
      for (let attempt = 1; ; attempt++) {
        try {
          const conn = await dialDirect(this.init.node, to, { signal: job.signal, onRetry: options.onRetry })
          peerId = conn.remotePeer.toString()
          job.setPeer(peerId)
          options.onConnected?.(describeConnection(conn))
          if (!looked && text == null) transferId = findSendToResume(this.init.store, peerId, files)
          looked = true
          transferId = job.id() ?? transferId
          const result = await this.sendOver(conn, files, job.signal, job.setId, { transferId, text, throttle, sharedReads: options.sharedReads })
          this.emit('complete', result, this.recordOf(result.transferId))
          return result
        } catch (err) {
          const next = attempts.next(err, attempt, job.signal.aborted)
          if (next === 'give-up') throw reportedError(err)
          if (next !== 'redial') options.onInterrupted?.(attempt, err)
          if (next === 'resume-later') await sleep(RESUME_RETRY_DELAY_MS, undefined, { signal: job.signal }).catch(() => {})
        }
      }
    } catch (err) {
      this.emitFailed(err, { transferId: job.id() ?? options.transferId, direction: 'send', peerId }, job.signal)
      throw err
    } finally {
      job.done()
    }
  }

  /** The record of `transferId`, read once when it ended (the store may be closed while the service stops). */
  private recordOf (transferId: string | undefined): TransferRecord | undefined {
    if (transferId == null) return undefined
    try {
      return this.init.store.transfers.get(transferId)
    } catch {
      return undefined
    }
  }

  /**
   * Emits `failed` for `err`: its code and state as ./outcome.ts maps them (an error before any transfer ran — files
   * that cannot be read — keeps its own code), with the transfer's final record when it has one.
   */
  private emitFailed (err: unknown, about: Pick<TransferFailure, 'transferId' | 'direction' | 'peerId'>, signal?: AbortSignal): void {
    const outcome = outcomeOf(err, signal)
    const code = signal == null ? (err as { code?: string }).code ?? 'internal' : outcome.code
    const record = this.recordOf(about.transferId)
    // The typed facts: what ./outcome.ts records, else (an error before any transfer ran) the error's own reason.
    const ownReason = (err as { reason?: unknown }).reason
    const reason = outcome.error.reason ?? (isFailureReason(ownReason) ? ownReason : undefined)
    this.emit('failed', { ...about, code, reason, peerMessage: outcome.error.peerMessage, message: errorMessage(err), state: outcome.state, record })
  }

  /**
   * Sends over an open connection as transfer `transferId`: it resumes that send when it is recorded, with this peer,
   * and can resume (./lifecycle.ts); a new transfer gets that ID when it is not recorded yet, else a random one.
   */
  private async sendOver (conn: Connection, files: LocalFile[], signal: AbortSignal, onTransferId: (id: string) => void,
    { transferId, text, throttle, sharedReads }: { transferId?: string, text?: string, throttle?: Throttle, sharedReads?: SendOptions['sharedReads'] }): Promise<TransferResult> {
    const peerId = conn.remotePeer.toString()
    const record = transferId == null ? undefined : this.init.store.transfers.get(transferId)
    const resumes = record?.direction === 'send' && record.peerId === peerId && canResume(record)
    return sendFiles(conn, files, {
      store: this.init.store,
      senderName: this.init.displayName,
      senderDevice: this.init.deviceKind,
      resumeId: resumes ? transferId : undefined,
      transferId: record == null ? transferId : undefined,
      signal,
      timeouts: this.init.timeouts,
      text,
      throttle,
      sharedReads,
      onTransferId,
      onProgress: (p) => this.emit('progress', p),
      onAccepted: (transferId, skippedBytes) => { if (skippedBytes > 0) this.emit('resuming', { transferId, direction: 'send', peerId, skippedBytes }) }
    })
  }
}

function peerIdOf (addr: Multiaddr): string {
  return addr.getComponents().findLast(c => c.name === 'p2p')?.value ?? ''
}
