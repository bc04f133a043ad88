import { unlink } from 'node:fs/promises'

import type { Connection, Stream } from '@libp2p/interface'
import { AbortedError } from '../errors/index.ts'
import { describeConnection, notePeerActivity } from '../node/index.ts'
import { prepareDestination, preparePartialFolder, UnsafePathError, validateFileList } from '../paths/index.ts'
import {
  ACK_EVERY_BYTES, MAX_MESSAGE_LENGTH, MAX_REWINDS, ProtocolError, RemoteError, TransferError
} from '../protocol/index.ts'
import type { ControlMessage, ErrorCode, Offer } from '../protocol/index.ts'
import { ProgressWriter, TransferExistsError } from '../store/index.ts'
import type { Store } from '../store/index.ts'
import { FrameChannel } from './channel.ts'
import { MAX_WRITE_BATCH_BYTES, MAX_WRITE_BATCH_FRAMES, PLACEMENT_BATCH_DELAY_MS, PLACEMENT_BATCH_FILES } from './constants.ts'
import { IncomingFile, writeError } from './incoming-file.ts'
import { IncomingRecord } from './incoming-record.ts'
import { messageForPeer, outcomeOf } from './outcome.ts'
import { receivingInto, removeCreatedFolders, removePartialFolderIfEmpty, removeTempFilesOf } from './partial-files.ts'
import { Placements } from './placement.ts'
import { ProgressReporter } from './progress.ts'
import { planReceiveResume, tempPathOf } from './resume.ts'
import type { ReceiveResumePlan } from './resume.ts'
import { RECEIVE_SPACE } from './space.ts'
import type { SpaceLedger, SpaceReservation } from './space.ts'
import { MinimumRate, timeoutsOf } from './timeouts.ts'
import type { TransferTimeouts } from './timeouts.ts'
import { STRANGER } from './types.ts'
import type { IncomingOffer, OfferDecision, PeerStanding, TransferProgress, TransferResult, TransferredFile } from './types.ts'

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
  /** Free space reserved by the receives already accepted (default: the one ledger of the process). */
  space?: SpaceLedger
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
  const started = Date.now()
  const { store, signal } = init
  const timeouts = timeoutsOf(init.timeouts)
  // Between the offer and our answer the sender must be quiet (§5): nothing else is read or queued meanwhile. Every
  // byte from the sender also tells the node's liveness monitor that the peer is alive.
  const channel = new FrameChannel(stream, { quietAfterFirst: true, onPeerActivity: () => { notePeerActivity(conn) } })
  const peerId = conn.remotePeer.toString()
  const connection = describeConnection(conn)
  if (connection.limited) return refuse(channel, 'protocol-error', new ProtocolError('File transfers are refused on limited (relayed) connections'))

  let offer: Offer
  try {
    const first = await channel.nextControl({ signal, timeoutMs: timeouts.offerMs })
    if (first.type !== 'offer') throw new ProtocolError(`Expected an offer, got ${first.type}`)
    offer = first
  } catch (err) {
    return refuse(channel, outcomeOf(err).code as ErrorCode, err as Error)
  }
  // The current policy first, for new and resumed offers alike: a refused peer costs no validation and no record.
  const standing = init.standing ?? (() => STRANGER)
  const refused = standing(peerId).refused
  if (refused != null) {
    await channel.sendControl({ type: 'reject', code: refused.code, message: refused.reason.slice(0, MAX_MESSAGE_LENGTH) }).catch(() => {})
    await channel.finish(new RemoteError(refused.code, refused.reason), 5000)
    return undefined
  }
  try {
    validateFileList(offer.files.map(f => f.path))
  } catch (err) {
    return refuse(channel, 'invalid-offer', err as Error)
  }
  const usedHere = new ProtocolError('This transfer ID is already used by another transfer')
  if (await init.onOfferFor?.(offer.transferId) === false) return refuse(channel, 'invalid-offer', usedHere)
  const plan = await planReceiveResume(store, offer, peerId)
  if (plan === 'conflict') return refuse(channel, 'invalid-offer', usedHere)
  const resume: ReceiveResumePlan | undefined = plan

  const { transferId, files, totalBytes } = offer
  const downloadDir = resume?.downloadDir ?? init.downloadDir
  if (resume != null) store.transfers.update(transferId, { transport: connection.transport, remoteAddr: connection.remoteAddr })
  const incoming: IncomingOffer = { transferId, peerId, senderName: offer.senderName, senderDevice: offer.senderDevice, files, totalBytes, connection }
  // Nothing is recorded while the offer waits: see ./incoming-record.ts for what is, and when.
  const record = new IncomingRecord({ store, offer: incoming, downloadDir, resumed: resume != null, isContact: () => standing(peerId).contact })
  init.onTransferId?.(transferId)
  const space = init.space ?? RECEIVE_SPACE
  let reservation: SpaceReservation | undefined
  // Folders this transfer created, and whether its temp folder is ready (prepared once, at its first file).
  const createdDirs: string[] = []
  let partialReady = false
  let endReceive: (() => void) | undefined
  const writer = new ProgressWriter(store, transferId)
  const reporter = new ProgressReporter({ transferId, direction: 'receive', peerId, totalBytes, files }, init.onProgress)
  let current: IncomingFile | undefined
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
  try {
    const needed = totalBytes - (resume?.skippedBytes ?? 0)
    // Free space minus what the receives accepted before will still write; checked again, and reserved, at the accept.
    const measured = await space.check(downloadDir, needed)
    if (resume != null) {
      init.onResume?.(incoming, resume.skippedBytes)
    } else {
      const decision = await decideWhileConnected(channel, incoming, init)
      if (!decision.accept) {
        const code = decision.code ?? 'declined'
        await channel.sendControl({ type: 'reject', code, message: (decision.reason ?? '').slice(0, MAX_MESSAGE_LENGTH) })
        await channel.finish(new RemoteError(code, 'Declined'), 5000)
        record.ended('declined', { code, message: decision.reason ?? 'Declined' })
        if (code !== 'busy') init.onDeclined?.(incoming, { code, reason: decision.reason })
        return undefined
      }
      try {
        record.accepted()
      } catch (err) {
        if (!(err instanceof TransferExistsError)) throw err
        await channel.sendControl({ type: 'reject', code: 'invalid-offer', message: usedHere.message })
        await channel.finish(usedHere, 5000)
        return undefined
      }
      init.onAccepted?.(incoming)
    }
    const offsets = resume?.offsets ?? files.map(() => 0)
    reservation = space.reserve(measured, needed)
    endReceive = receivingInto(downloadDir)
    channel.endQuiet()
    await channel.sendControl({ type: 'accept', offsets, complete: resume == null ? undefined : [...resume.done.keys()] }, signal)
    store.transfers.setState(transferId, 'transferring')
    const acceptedAt = Date.now()

    const loopSignal = signal == null ? placements.signal : AbortSignal.any([signal, placements.signal])
    let consumed = 0 // data bytes taken off the stream, written or discarded: what acks count
    let ackedAt = 0
    let completedBytes = [...done.keys()].reduce((n, i) => n + (files[i]?.size ?? 0), 0)
    let lastIndex = -1
    let rewinds = 0
    let pendingNack: { index: number, offset: number } | undefined
    const ack = async (): Promise<void> => {
      ackedAt = consumed
      await channel.sendControl({ type: 'ack', bytes: consumed }, signal)
    }

    const minimumRate = new MinimumRate(timeouts.minRateWindowMs, channel.waitedMs)
    while (true) {
      // Checked after the previous frame's progress was credited (a resumed file's prefix counts once it is announced).
      minimumRate.check(channel.waitedMs)
      const frame = await channel.next({ signal: loopSignal, timeoutMs: timeouts.stallMs })
      if (frame.kind === 'data') {
        // Frames that arrived while the previous write was in progress go to disk together, in one call.
        const pieces = [frame.bytes, ...channel.takeQueuedData(MAX_WRITE_BATCH_BYTES - frame.bytes.byteLength, MAX_WRITE_BATCH_FRAMES - 1)]
        for (const piece of pieces) consumed += piece.byteLength
        if (pendingNack == null) {
          if (current == null) throw new ProtocolError('Data arrived outside a file')
          const at = current.position
          await current.write(...pieces)
          reservation.used(current.position - at)
          for (const piece of pieces) minimumRate.add(piece.byteLength)
          reporter.update(completedBytes + current.position, current.index)
        }
        if (consumed - ackedAt >= ACK_EVERY_BYTES) await ack()
        continue
      }
      const msg: ControlMessage = frame.message
      if (msg.type === 'error') throw new RemoteError(msg.code, `The sender stopped the transfer: ${msg.message}`, { reason: msg.reason, peerMessage: msg.message })
      if (pendingNack != null) {
        // Everything the sender sent before it saw the nack is discarded, until its rewind.
        if (msg.type !== 'rewind') continue
        if (msg.index !== pendingNack.index || msg.offset !== pendingNack.offset) throw new ProtocolError('The rewind does not match the nack')
        pendingNack = undefined
        minimumRate.add(msg.offset)
        continue
      }
      if (msg.type === 'file-start') {
        if (current != null) throw new ProtocolError('file-start before the previous file ended')
        if (msg.index <= lastIndex || msg.index >= files.length || resume?.done.has(msg.index) === true) throw new ProtocolError(`file-start for file ${msg.index} is out of order`)
        if (msg.offset !== offsets[msg.index]) throw new ProtocolError(`file-start for file ${msg.index} does not start at the accepted offset`)
        lastIndex = msg.index
        minimumRate.add(msg.offset)
        const file = files[msg.index] as Offer['files'][number]
        const dir = await prepareDestination(downloadDir, file.path, signal, createdDirs).catch((err: unknown) => { throw err instanceof UnsafePathError ? err : writeError(err, file.path) })
        if (!partialReady) {
          try { preparePartialFolder(downloadDir) } catch (err) { throw err instanceof UnsafePathError ? err : writeError(err, file.path) }
          partialReady = true
        }
        const opened = await IncomingFile.open({ index: msg.index, relPath: file.path, size: file.size, dir, tempPath: tempPathOf(downloadDir, transferId, msg.index), offset: msg.offset, prefixSha256: msg.prefixSha256 })
        current = opened.file
        if (!opened.prefixMatches) {
          // The partial file does not match the sender's file (it changed since): start that file over.
          offsets[msg.index] = 0
          pendingNack = { index: msg.index, offset: 0 }
          await channel.sendControl({ type: 'nack', index: msg.index, offset: 0 }, signal)
        }
      } else if (msg.type === 'block') {
        if (current == null || msg.index !== current.index) throw new ProtocolError('A block hash for a file that is not in progress')
        if (await current.verifyBlock(msg.offset, msg.sha256)) {
          writer.update(completedBytes + current.verified, current.index, current.verified)
        } else {
          if (++rewinds > MAX_REWINDS) throw new TransferError('hash-mismatch', `${current.relPath} kept arriving corrupted (${rewinds} bad blocks); giving up`)
          pendingNack = { index: current.index, offset: msg.offset }
          await channel.sendControl({ type: 'nack', index: current.index, offset: msg.offset }, signal)
        }
      } else if (msg.type === 'file-end') {
        if (current == null || msg.index !== current.index) throw new ProtocolError('file-end for a file that was not started')
        const sha256 = current.verify(msg.sha256)
        const file = current
        current = undefined
        await placements.add(file, sha256)
        completedBytes += file.size
        // No ack per file: acks are flow control only (PROTOCOL.md §6), and one per file cost many small files a
        // third of their speed (docs/PERFORMANCE.md, "Acks per file").
      } else if (msg.type === 'done') {
        await placements.drain()
        if (current != null || done.size !== files.length) throw new TransferError('size-mismatch', `The sender ended after ${done.size} of ${files.length} files`)
        removePartialFolderIfEmpty(downloadDir, 1)
        await channel.sendControl({ type: 'complete', files: [...done].map(([index, f]) => ({ index, sha256: f.sha256 })).sort((a, b) => a.index - b.index) }, signal)
        writer.flush()
        store.transfers.setState(transferId, 'completed')
        reporter.finish(totalBytes)
        await channel.close().catch(() => {})
        const results: TransferredFile[] = files.map((f, i) => ({ path: f.path, size: f.size, sha256: done.get(i)?.sha256 ?? '', localPath: done.get(i)?.localPath }))
        return { transferId, direction: 'receive', peerId, files: results, totalBytes, durationMs: Date.now() - started, transferMs: Date.now() - acceptedAt, skippedBytes: resume?.skippedBytes ?? 0, connection }
      } else {
        throw new ProtocolError(`Unexpected ${msg.type} message from the sender`)
      }
    }
  } catch (caught) {
    // A failed placement aborted the wait for the next frame: report that failure, not the abort.
    await placements.settle()
    const err = caught instanceof AbortedError && placements.signal.aborted && placements.failure != null ? placements.failure : caught
    writer.flush()
    const outcome = outcomeOf(err, signal)
    // Clean up first, then record, then tell the peer: whoever sees the outcome sees the disk as it stays.
    // An interrupted transfer keeps its partial file to resume from; a failed one (corrupt, hostile) does not.
    await current?.close()
    if (outcome.state !== 'interrupted') {
      for (const tempPath of [...placements.failedTempPaths, ...(current == null ? [] : [current.tempPath])]) await unlink(tempPath).catch(() => {})
      // And every other temp file of this transfer (kept from an earlier attempt, or verified and not yet queued for
      // placement): a transfer that failed or was cancelled once accepted keeps nothing partial. A resume refused
      // before its accept (no room yet) keeps the earlier attempt's partial files.
      if (endReceive != null) await removeTempFilesOf(downloadDir, transferId)
    }
    removeCreatedFolders(downloadDir, createdDirs, endReceive == null ? 0 : 1)
    removePartialFolderIfEmpty(downloadDir, endReceive == null ? 0 : 1)
    record.ended(outcome.state, outcome.error)
    if (outcome.tellPeer) await channel.sendErrorAndClose(outcome.code, messageForPeer(err, outcome.code, outcome.message), { reason: outcome.error.reason })
    else channel.abort(err as Error)
    throw err
  } finally {
    reservation?.release()
    endReceive?.()
  }
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
