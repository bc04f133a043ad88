import { unlink } from 'node:fs/promises'

import type { Connection, Stream } from '@libp2p/interface'
import { AbortedError } from '../errors/index.ts'
import { describeConnection, notePeerActivity } from '../node/index.ts'
import { validateFileList } from '../paths/index.ts'
import { acceptedSubsetProblem, MAX_MESSAGE_LENGTH, ProtocolError, RemoteError, TransferError, textProblem } from '../protocol/index.ts'
import type { ErrorCode, Offer } from '../protocol/index.ts'
import { logger } from '../log/index.ts'
import { ProgressWriter, TransferExistsError } from '../store/index.ts'
import type { Store } from '../store/index.ts'
import { FrameChannel } from './channel.ts'
import { PLACEMENT_BATCH_DELAY_MS, PLACEMENT_BATCH_FILES } from './constants.ts'
import { IncomingRecord } from './incoming-record.ts'
import { messageForPeer, outcomeOf } from './outcome.ts'
import { receivingInto, removeCreatedFolders, removePartialFolderIfEmpty, removeTempFilesOf } from './partial-files.ts'
import { Placements } from './placement.ts'
import { ProgressReporter } from './progress.ts'
import { ReceiveFrames } from './receive-frames.ts'
import { planReceiveResume } from './resume.ts'
import type { ReceiveResumePlan } from './resume.ts'
import { RECEIVE_SPACE } from './space.ts'
import type { SpaceMeasure, SpaceReservation } from './space.ts'
import { timeoutsOf } from './timeouts.ts'
import type { TransferTimeouts } from './timeouts.ts'
import { STRANGER } from './types.ts'
import type { IncomingOffer, OfferDecision, PeerStanding, TransferProgress, TransferResult, TransferredFile } from './types.ts'

/** Debug lines of the transfer protocol (`DEBUG=ferry:transfer`): IDs, counts and sizes, never a file's name or path. */
const log = logger('transfer')
/** Debug lines of resumes (`DEBUG=ferry:resume`). */
const resumeLog = logger('resume')

/** Options of {@link receiveTransfer}. */
export interface ReceiveInit {
  store: Store
  /** Folder new transfers are written into (a resumed one continues in its earlier folder). */
  downloadDir: string
  /** Asks the person (or a policy) whether to accept; `signal` aborts if the sender goes away meanwhile. */
  decide: (offer: IncomingOffer, signal: AbortSignal) => Promise<OfferDecision>
  /**
   * The sending peer's standing, asked as soon as its offer arrives (default: {@link STRANGER}): a refused peer's
   * offer — even one that resumes an accepted transfer — is answered `reject` unseen, and nothing is recorded; whether
   * it is a contact decides if an offer that is not accepted is recorded (./incoming-record.ts).
   */
  standing?: (peerId: string) => PeerStanding
  signal?: AbortSignal
  timeouts?: Partial<TransferTimeouts>
  onProgress?: (progress: TransferProgress) => void
  /** Called with the transfer ID once the offer passed validation, so the transfer can be cancelled or paused. */
  onTransferId?: (transferId: string) => void
  /** Called once a new offer was accepted and recorded, before its data flows. */
  onAccepted?: (offer: IncomingOffer) => void
  /** Called when the offer was declined or expired undecided (and the sender told so). */
  onDeclined?: (offer: IncomingOffer, decision: { code: 'declined' | 'timeout', reason?: string }) => void
  /** Called when the offer resumes an earlier, accepted transfer: it is accepted without asking again. */
  onResume?: (offer: IncomingOffer, skippedBytes: number) => void
  /**
   * Called with the offered transfer ID before it is looked up in the history. If that transfer is still running here
   * from the same peer, its old stream is dead (the sender restarted or reconnected before this side noticed): the
   * service ends it as interrupted, and resolves once it is recorded, so that this offer resumes it. Resolves false
   * when the ID is taken by another peer's offer or transfer running here (the offer is refused `invalid-offer`).
   */
  onOfferFor?: (transferId: string) => Promise<boolean>
}

/** Refuses an offer before anything is recorded: tells the sender why, then rethrows. */
async function refuse (channel: FrameChannel, code: ErrorCode, err: Error): Promise<never> {
  await channel.sendControl({ type: 'reject', code, message: err.message.slice(0, MAX_MESSAGE_LENGTH) }).catch(() => {})
  await channel.finish(err, 5000)
  throw err
}

/**
 * Runs the receiving side of one transfer on an incoming `/ferry/transfer/1.0.0` stream (docs/PROTOCOL.md,
 * "Receiver"). The offer is validated as a whole — schema, limits, every path through the path-safety module — before
 * it is shown or anything touches disk. Each file goes to an exclusive temp file in its destination folder; every
 * block is checked against the sender's block hash (a bad block is asked for again with `nack`), the whole file
 * against its SHA-256, and only then is it renamed into place, never over an existing file. An offer that continues
 * an earlier accepted transfer resumes at the last verified block of each file without asking again.
 *
 * @returns the result, or undefined when the offer was declined
 * @throws {ProtocolError} when the sender breaks the protocol (it is told; the transfer is recorded failed)
 * @throws {RemoteError} when the sender cancels or fails the transfer
 * @throws {StreamClosedError} when the connection drops (recorded as interrupted; partial files are kept to resume)
 * @throws {TransferError} on a local failure (disk full: recorded as interrupted, partial files kept)
 */
export async function receiveTransfer (stream: Stream, conn: Connection, init: ReceiveInit): Promise<TransferResult | undefined> {
  return await new ReceiveSession(stream, conn, init).run()
}

/**
 * One receive, step by step as docs/PROTOCOL.md §5 "Receiver" numbers them: {@link readOffer} (step 1),
 * {@link admit} (step 2), {@link negotiate} (steps 3–5), then {@link ReceiveFrames} (steps 6–7), and {@link end} for
 * a transfer that did not complete (§7 "What stays on disk", §11).
 */
class ReceiveSession {
  private readonly init: ReceiveInit
  private readonly started = Date.now()
  private readonly store: Store
  private readonly signal: AbortSignal | undefined
  private readonly timeouts: TransferTimeouts
  private readonly channel: FrameChannel
  private readonly peerId: string
  private readonly connection: IncomingOffer['connection']
  private readonly standing: (peerId: string) => PeerStanding
  private readonly usedHere = new ProtocolError('This transfer ID is already used by another transfer')

  constructor (stream: Stream, conn: Connection, init: ReceiveInit) {
    this.init = init
    this.store = init.store
    this.signal = init.signal
    this.timeouts = timeoutsOf(init.timeouts)
    // Between the offer and our answer the sender must be quiet (§5): nothing else is read or queued meanwhile. Every
    // byte from the sender also tells the node's liveness monitor that the peer is alive.
    this.channel = new FrameChannel(stream, { quietAfterFirst: true, onPeerActivity: () => { notePeerActivity(conn) } })
    this.peerId = conn.remotePeer.toString()
    this.connection = describeConnection(conn)
    this.standing = init.standing ?? (() => STRANGER)
  }

  async run (): Promise<TransferResult | undefined> {
    const { channel, store, peerId, connection } = this
    if (connection.limited) return refuse(channel, 'protocol-error', new ProtocolError('File transfers are refused on limited (relayed) connections'))
    const offer = await this.readOffer()
    const admitted = await this.admit(offer)
    if (admitted === 'refused') return undefined
    const resume = admitted
    const { transferId, files, totalBytes } = offer
    const downloadDir = resume?.downloadDir ?? this.init.downloadDir
    if (resume != null) store.transfers.update(transferId, { transport: connection.transport, remoteAddr: connection.remoteAddr })
    const incoming: IncomingOffer = { transferId, peerId, senderName: offer.senderName, senderDevice: offer.senderDevice, files, totalBytes, connection }
    if (offer.kind === 'text') Object.assign(incoming, { kind: 'text', text: offer.text })
    // Nothing is recorded while the offer waits: see ./incoming-record.ts for what is, and when.
    const record = new IncomingRecord({ store, offer: incoming, downloadDir, resumed: resume != null, isContact: () => this.standing(peerId).contact })
    this.init.onTransferId?.(transferId)
    const writer = new ProgressWriter(store, transferId)
    const ending: Ending = { downloadDir, createdDirs: [], record, writer }
    const reporter = new ProgressReporter({ transferId, direction: 'receive', peerId, totalBytes, files }, this.init.onProgress)
    const done = new Map<number, { sha256: string, localPath: string }>(resume?.done ?? [])
    // Verified files are synced and placed in the background while the next ones arrive; `complete` waits for all.
    const placements = new Placements({
      batchFiles: PLACEMENT_BATCH_FILES,
      batchDelayMs: PLACEMENT_BATCH_DELAY_MS,
      onPlaced: (placed) => {
        store.transfers.fileDone(transferId, placed.index, { sha256: placed.sha256, localPath: placed.localPath, state: 'verified' })
        done.set(placed.index, placed)
      }
    })
    ending.placements = placements
    try {
      const accepted = await this.negotiate(incoming, resume, ending)
      if (accepted == null) return undefined
      reporter.acceptedBytes(accepted.totalBytes)
      const acceptedAt = Date.now()
      const loopSignal = this.signal == null ? placements.signal : AbortSignal.any([this.signal, placements.signal])
      const frames = new ReceiveFrames({
        store, channel: this.channel, transferId, files, offsets: accepted.offsets, complete: new Set(resume?.done.keys() ?? []), done,
        accepted: accepted.files == null ? undefined : new Set(accepted.files),
        downloadDir, createdDirs: ending.createdDirs, placements, writer, reporter, reservation: accepted.reservation,
        timeouts: this.timeouts, signal: loopSignal, sessionSignal: this.signal
      })
      ending.frames = frames
      await frames.run()
      reporter.finish(accepted.totalBytes)
      log('receive %s: completed, %d file(s) verified', transferId, done.size)
      await this.channel.close().catch(() => {})
      // Only the files accepted (all, unless the decision named some): the others were never written.
      const results: TransferredFile[] = files.flatMap((f, i) => done.has(i) ? [{ path: f.path, size: f.size, sha256: done.get(i)?.sha256 ?? '', localPath: done.get(i)?.localPath }] : [])
      return { transferId, direction: 'receive', peerId, files: results, totalBytes: accepted.totalBytes, durationMs: Date.now() - this.started, transferMs: Date.now() - acceptedAt, skippedBytes: resume?.skippedBytes ?? 0, connection, ...(incoming.kind === 'text' ? { kind: incoming.kind, text: incoming.text } : {}) }
    } catch (caught) {
      return await this.end(caught, transferId, ending)
    } finally {
      ending.reservation?.release()
      ending.endReceive?.()
    }
  }

  /**
   * §5 Receiver step 1: the first frame must be a control `offer` within `OFFER_TIMEOUT_MS`; anything else is refused
   * (`reject` with the code of ./outcome.ts) and nothing is recorded.
   */
  private async readOffer (): Promise<Offer> {
    try {
      const first = await this.channel.nextControl({ signal: this.signal, timeoutMs: this.timeouts.offerMs })
      if (first.type !== 'offer') throw new ProtocolError(`Expected an offer, got ${first.type}`)
      return first
    } catch (err) {
      return refuse(this.channel, outcomeOf(err).code as ErrorCode, err as Error)
    }
  }

  /**
   * §5 Receiver step 2: the current policy first, for new and resumed offers alike (a refused peer costs no validation
   * and no record: `reject` `declined`); then every path (§9); then whether the transfer ID is free here and, if known,
   * may resume (§8) — else `reject` `invalid-offer`.
   *
   * @returns the resume plan (undefined: a new transfer), or `'refused'` when the policy refused the peer
   */
  private async admit (offer: Offer): Promise<ReceiveResumePlan | undefined | 'refused'> {
    const { channel } = this
    const refused = this.standing(this.peerId).refused
    if (refused != null) {
      await channel.sendControl({ type: 'reject', code: refused.code, message: refused.reason.slice(0, MAX_MESSAGE_LENGTH) }).catch(() => {})
      await channel.finish(new RemoteError(refused.code, refused.reason), 5000)
      log('receive %s: refused %s unseen (%s)', offer.transferId, this.peerId, refused.code)
      return 'refused'
    }
    try {
      validateFileList(offer.files.map(f => f.path))
    } catch (err) {
      return refuse(channel, 'invalid-offer', err as Error)
    }
    const badText = offer.kind === 'text' ? textProblem(offer.text ?? '', offer.totalBytes) : undefined
    if (badText != null) return refuse(channel, 'invalid-offer', new TransferError('invalid-offer', badText))
    if (await this.init.onOfferFor?.(offer.transferId) === false) return refuse(channel, 'invalid-offer', this.usedHere)
    const plan = await planReceiveResume(this.store, offer, this.peerId)
    // A text snippet has nothing to resume: its ID must be new here.
    if (plan === 'conflict' || (plan != null && offer.kind === 'text')) return refuse(channel, 'invalid-offer', this.usedHere)
    log('receive %s: offer of %d file(s), %d bytes, from %s', offer.transferId, offer.files.length, offer.totalBytes, this.peerId)
    if (plan != null) resumeLog('receive %s: resumes, %d bytes here already (%d file(s) whole)', offer.transferId, plan.skippedBytes, plan.done.size)
    return plan
  }

  /**
   * §5 Receiver steps 3–5: free space (step 4, checked before asking and again, with a reservation, at the accept);
   * a resumed offer is accepted without asking, a new one goes to the person or policy while the stream stays quiet
   * (step 5) and is recorded once accepted (step 3); then `accept` with the offsets, recorded `transferring`.
   *
   * @returns the accepted offsets and the space reservation, or undefined when the offer was declined (recorded as
   *   ./incoming-record.ts says, the sender told)
   */
  private async negotiate (incoming: IncomingOffer, resume: ReceiveResumePlan | undefined, ending: Ending): Promise<{ offsets: number[], reservation: SpaceReservation, files?: number[], totalBytes: number } | undefined> {
    const { channel, signal } = this
    const { transferId, files, totalBytes } = incoming
    const measured = await measureRoom(incoming, resume, ending.downloadDir)
    let subset = resume?.accepted
    if (resume != null) {
      this.init.onResume?.(incoming, resume.skippedBytes)
    } else {
      const decision = await decideWhileConnected(channel, incoming, this.init)
      if (!decision.accept) {
        const code = decision.code ?? 'declined'
        await channel.sendControl({ type: 'reject', code, message: (decision.reason ?? '').slice(0, MAX_MESSAGE_LENGTH) })
        await channel.finish(new RemoteError(code, 'Declined'), 5000)
        ending.record.ended('declined', { code, message: decision.reason ?? 'Declined' })
        log('receive %s: declined (%s)', transferId, code)
        if (code !== 'busy') this.init.onDeclined?.(incoming, { code, reason: decision.reason })
        return undefined
      }
      subset = decision.files
      const badSubset = subset == null ? undefined : acceptedSubsetProblem(subset, files.length)
      // The host's decision names files that were never offered: nothing is recorded or written.
      if (badSubset != null) throw new TransferError('invalid-offer', badSubset)
      try {
        ending.record.accepted(subset)
      } catch (err) {
        if (!(err instanceof TransferExistsError)) throw err
        await channel.sendControl({ type: 'reject', code: 'invalid-offer', message: this.usedHere.message })
        await channel.finish(this.usedHere, 5000)
        return undefined
      }
      this.init.onAccepted?.(incoming)
    }
    const offsets = resume?.offsets ?? files.map(() => 0)
    const chosen = subset == null ? undefined : new Set(subset)
    const acceptedBytes = chosen == null ? totalBytes : files.reduce((n, f, i) => n + (chosen.has(i) ? f.size : 0), 0)
    const reservation = RECEIVE_SPACE.reserve(measured, acceptedBytes - (resume?.skippedBytes ?? 0))
    ending.reservation = reservation
    ending.endReceive = receivingInto(ending.downloadDir)
    channel.endQuiet()
    await channel.sendControl({ type: 'accept', offsets, complete: resume == null ? undefined : [...resume.done.keys()], files: subset }, signal)
    this.store.transfers.setState(transferId, 'transferring')
    log('receive %s: accepted%s', transferId, subset == null ? '' : ` (${subset.length} of ${files.length} file(s))`)
    return { offsets, reservation, files: subset, totalBytes: acceptedBytes }
  }

  /**
   * A transfer that did not complete (§7 "What stays on disk", §11): cleans up first, then records, then tells the
   * peer — whoever sees the outcome sees the disk as it stays. An interrupted transfer keeps its partial file to resume
   * from; a failed or cancelled one (corrupt, hostile) keeps nothing partial.
   *
   * @throws the error (a failed placement's, when that is what aborted the wait for the next frame)
   */
  private async end (caught: unknown, transferId: string, ending: Ending): Promise<never> {
    const { placements, downloadDir, endReceive } = ending
    const current = ending.frames?.current
    // A failed placement aborted the wait for the next frame: report that failure, not the abort.
    await placements?.settle()
    const err = caught instanceof AbortedError && placements?.signal.aborted === true && placements.failure != null ? placements.failure : caught
    ending.writer.flush()
    const outcome = outcomeOf(err, this.signal)
    await current?.close()
    if (outcome.state !== 'interrupted') {
      for (const tempPath of [...(placements?.failedTempPaths ?? []), ...(current == null ? [] : [current.tempPath])]) await unlink(tempPath).catch(() => {})
      // And every other temp file of this transfer (kept from an earlier attempt, or verified and not yet queued for
      // placement): a transfer that failed or was cancelled once accepted keeps nothing partial. A resume refused
      // before its accept (no room yet) keeps the earlier attempt's partial files.
      if (endReceive != null) await removeTempFilesOf(downloadDir, transferId)
    }
    removeCreatedFolders(downloadDir, ending.createdDirs, endReceive == null ? 0 : 1)
    removePartialFolderIfEmpty(downloadDir, endReceive == null ? 0 : 1)
    ending.record.ended(outcome.state, outcome.error)
    log('receive %s: ended %s (%s%s)', transferId, outcome.state, outcome.code, outcome.error.reason == null ? '' : `, ${outcome.error.reason}`)
    if (outcome.tellPeer) await this.channel.sendErrorAndClose(outcome.code, messageForPeer(err, outcome.code, outcome.message), { reason: outcome.error.reason })
    else this.channel.abort(err as Error)
    throw err
  }
}

/** What the end of a receive cleans up and records: filled in as the session gets that far. */
interface Ending {
  downloadDir: string
  /** Folders this transfer created. */
  createdDirs: string[]
  record: IncomingRecord
  writer: ProgressWriter
  placements?: Placements
  reservation?: SpaceReservation
  /** Set once accepted: this receive counts as writing into `downloadDir` until it is called. */
  endReceive?: () => void
  frames?: ReceiveFrames
}

/**
 * §5 Receiver step 4, before asking: the free space of `dir`, less what the receives accepted before will still write,
 * must hold what this offer can need — a resume the bytes of its accepted files still missing, a new offer all its
 * bytes. A new offer of several files whose total does not fit, but whose smallest file does, is still asked about,
 * with `incoming.freeBytes` set: the person can choose files that fit (the accept reserves what was chosen, and
 * refuses it with `insufficient-space` if it does not fit).
 *
 * @returns the measure the accept reserves from
 * @throws {TransferError} `insufficient-space` when not even that fits
 */
async function measureRoom (incoming: IncomingOffer, resume: ReceiveResumePlan | undefined, dir: string): Promise<SpaceMeasure> {
  const { files } = incoming
  if (resume != null) {
    const accepted = resume.accepted == null ? undefined : new Set(resume.accepted)
    const bytes = files.reduce((n, f, i) => n + (accepted == null || accepted.has(i) ? f.size : 0), 0)
    return await RECEIVE_SPACE.check(dir, bytes - resume.skippedBytes)
  }
  const measured = await RECEIVE_SPACE.measure(dir)
  const room = RECEIVE_SPACE.room(measured)
  if (room >= incoming.totalBytes) return measured
  // The smallest file with bytes in it (an offer may list 100,000 files: no spread into Math.min).
  const smallest = files.length > 1 ? files.reduce((min, f) => f.size > 0 && f.size < min ? f.size : min, incoming.totalBytes) : incoming.totalBytes
  if (room < smallest) return await RECEIVE_SPACE.check(dir, incoming.totalBytes)
  incoming.freeBytes = room
  return measured
}

/**
 * Runs `init.decide`, aborting it when the sender goes away or gives up (`error`); the stream stays quiet meanwhile.
 *
 * @throws {ProtocolError} when the sender sent anything else before the answer (the channel already ended the stream)
 * @throws {RemoteError} `cancelled` when the sender went away or gave up first
 */
async function decideWhileConnected (channel: FrameChannel, offer: IncomingOffer, init: ReceiveInit): Promise<OfferDecision> {
  const stopped = channel.peerStopped
  const signal = init.signal == null ? stopped : AbortSignal.any([init.signal, stopped])
  const decision = await init.decide(offer, signal)
  if (stopped.aborted) {
    if (stopped.reason instanceof ProtocolError) throw stopped.reason
    throw new RemoteError('cancelled', 'The sender went away before the offer was answered')
  }
  return decision
}
