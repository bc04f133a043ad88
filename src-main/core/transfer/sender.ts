import { createHash, randomUUID } from 'node:crypto'
import { failureReasonOf } from '../errors/index.ts'
import type { FileHandle } from 'node:fs/promises'
import type { Connection } from '@libp2p/interface'
import { describeConnection, notePeerActivity } from '../node/index.ts'
import {
  acceptedSubsetProblem, BLOCK_BYTES, CHUNK_BYTES, encodeControl, MAX_REWINDS, PROTOCOL_VERSION, ProtocolError, RemoteError,
  TransferError, WINDOW_BYTES
} from '../protocol/index.ts'
import type { DeviceKind, Nack, Offer } from '../protocol/index.ts'
import { logger } from '../log/index.ts'
import { ProgressWriter } from '../store/index.ts'
import type { Store } from '../store/index.ts'
import { BlockPool } from './block-pool.ts'
import { FrameChannel, StreamClosedError } from './channel.ts'
import { ReceiverFeedback } from './feedback.ts'
import { openLocalFile } from './local-files.ts'
import { openTransferStream } from './open-stream.ts'
import type { LocalFile } from './local-files.ts'
import { messageForPeer, outcomeOf } from './outcome.ts'
import { ProgressReporter } from './progress.ts'
import type { Throttle } from './rate-limit.ts'
import type { SharedReads } from './shared-reads.ts'
import { timeoutsOf } from './timeouts.ts'
import { ConnectionStalledError } from './attempts.ts'
import type { TransferTimeouts } from './timeouts.ts'
import type { TransferProgress, TransferResult } from './types.ts'

/** Debug lines of the transfer protocol (`DEBUG=ferry:transfer`): IDs, counts and sizes, never a file's name or path. */
const log = logger('transfer')
/** Debug lines of resumes (`DEBUG=ferry:resume`). */
const resumeLog = logger('resume')

/** Options of {@link sendFiles}. */
export interface SendInit {
  store: Store
  /** Display name shown to the receiver. */
  senderName?: string
  /** Kind of device shown to the receiver. */
  senderDevice?: DeviceKind
  /** The ID of an earlier, interrupted send of the same files to resume (see `findSendToResume`). */
  resumeId?: string
  /** The ID of a new transfer (default: a random UUID); ignored when `resumeId` is given. */
  transferId?: string
  signal?: AbortSignal
  timeouts?: Partial<TransferTimeouts>
  onProgress?: (progress: TransferProgress) => void
  /** Called with the transfer ID once the transfer is recorded, so it can be cancelled or paused. */
  onTransferId?: (transferId: string) => void
  /** Called once the receiver accepted, with the bytes it already has (resume), before the first byte is sent. */
  onAccepted?: (transferId: string, skippedBytes: number) => void
  /**
   * A text snippet to send instead of files (`files` must then be empty): an offer of kind `text` carrying it inline
   * (docs/PROTOCOL.md §4 "offer"), checked by the caller (`textProblem`); recorded with its text.
   */
  text?: string
  /** Waited on before each data frame: the upload speed limits (./rate-limit.ts). */
  throttle?: Throttle
  /** Blocks shared with the other sends of the same files to other recipients (./shared-reads.ts). */
  sharedReads?: SharedReads
}

function readError (err: unknown, path: string): TransferError {
  return err instanceof TransferError ? err : new TransferError('read-failed', `Cannot read ${path}: ${(err as Error).message}`, { cause: err, reason: failureReasonOf(err, 'read') })
}

/** Reads `length` bytes at `position` (into `into`, if given), or fails if the file became shorter. */
async function readExactly (fh: FileHandle, length: number, position: number, path: string, into?: Buffer): Promise<Buffer> {
  const buf = into == null ? Buffer.allocUnsafe(length) : into.subarray(0, length)
  let got = 0
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got).catch((err: unknown) => { throw readError(err, path) })
    if (bytesRead === 0) throw new TransferError('read-failed', `${path} became shorter while it was being sent`, { reason: 'file-changed' })
    got += bytesRead
  }
  return buf
}

/**
 * Sends `files` to the peer at the other end of `conn` (docs/PROTOCOL.md, "Sender"): offer, wait for accept, then each
 * file from its accepted offset as `file-start`, data frames with a `block` hash after every `BLOCK_BYTES`, and
 * `file-end` with the file's SHA-256; then `done`. A `nack` sends the bad block (and what followed) again. Succeeds
 * only when the receiver's `complete` confirms every file's hash. Recorded in `store` from the offer on.
 *
 * @throws {RemoteError} code `declined` when the receiver declines; another code when it refuses or fails the transfer
 * @throws {StreamClosedError} when the connection drops (recorded as interrupted: sending again resumes); its subclass
 *   `StreamOpenError` when no stream could be opened on `conn` (which is then closed: nothing was offered yet)
 * @throws {AbortedError} when `signal` aborts (the receiver is told `cancelled`)
 * @throws {TransferError} on a local read failure or an offer too large to encode
 * @throws {ConnectionStalledError} when data stopped moving after the accept (this side's stall timeout or the
 *   receiver's `error` `timeout`): the connection was closed, and a new one resumes the transfer; its `cause` is the
 *   error that ended it
 * @throws {ProtocolError} when the receiver breaks the protocol
 */
export async function sendFiles (conn: Connection, files: readonly LocalFile[], init: SendInit): Promise<TransferResult> {
  return await new SendSession(conn, files, init).run()
}

/** What the receiver's `accept` said (§4), once checked. */
interface Accepted {
  offsets: number[]
  /** Files the receiver already has verified and placed: skipped. */
  have: Set<number>
  skippedBytes: number
  /** The files the receiver accepted when it accepted only some (`accept.files`); absent: all. */
  chosen?: Set<number>
}

/**
 * One send, step by step as docs/PROTOCOL.md §5 "Sender" numbers them: {@link offer} (step 1; the receiver's messages
 * are then read in the background by `ReceiverFeedback`, step 2), {@link sendFile} (step 3), {@link rewindTo} (step 4),
 * {@link confirm} (step 5), and {@link fail} for a send that did not complete (§11).
 */
class SendSession {
  private readonly conn: Connection
  private readonly files: readonly LocalFile[]
  private readonly init: SendInit
  private readonly started = Date.now()
  private readonly transferId: string
  private readonly peerId: string
  private readonly connection: TransferResult['connection']
  private readonly totalBytes: number
  /** The bytes of the files the receiver accepted: `totalBytes` unless it accepted only some. */
  private acceptedBytes: number
  private readonly store: Store
  private readonly signal: AbortSignal | undefined
  private readonly timeouts: TransferTimeouts
  private channel: FrameChannel | undefined
  private writer!: ProgressWriter
  private reporter!: ProgressReporter
  /** Data bytes sent on this stream, re-sent bytes included (§6). */
  private sent = 0
  private feedback!: ReceiverFeedback
  /** Furthest position reached in each file, for progress. */
  private positions: number[] = []
  private progressBytes = 0
  /** The SHA-256 of each file sent on this stream, by index. */
  private readonly hashes: Array<string | undefined> = []
  private readonly pool = new BlockPool(BLOCK_BYTES)
  private rewinds = 0

  constructor (conn: Connection, files: readonly LocalFile[], init: SendInit) {
    this.conn = conn
    this.files = files
    this.init = init
    this.transferId = init.resumeId ?? init.transferId ?? randomUUID()
    this.peerId = conn.remotePeer.toString()
    this.connection = describeConnection(conn)
    this.totalBytes = init.text == null ? files.reduce((n, f) => n + f.size, 0) : Buffer.byteLength(init.text, 'utf8')
    this.acceptedBytes = this.totalBytes
    this.store = init.store
    this.signal = init.signal
    this.timeouts = timeoutsOf(init.timeouts)
  }

  async run (): Promise<TransferResult> {
    const { files, store, transferId, peerId, connection, totalBytes, init } = this
    const offer: Offer = {
      type: 'offer', version: PROTOCOL_VERSION, transferId, senderName: init.senderName, senderDevice: init.senderDevice, totalBytes,
      files: files.map(f => ({ path: f.relPath, size: f.size })),
      ...(init.text == null ? {} : { kind: 'text' as const, text: init.text })
    }
    const offerFrame = (() => {
      try {
        return encodeControl(offer)
      } catch (err) {
        throw new TransferError('invalid-offer', `Too many files or names too long for one transfer (${files.length} files): ${(err as Error).message}`, { cause: err })
      }
    })()
    if (init.resumeId != null) {
      store.transfers.update(transferId, { transport: connection.transport, remoteAddr: connection.remoteAddr })
      store.transfers.setState(transferId, 'offered')
    } else {
      store.transfers.create({
        id: transferId, direction: 'send', peerId, state: 'offered', totalBytes, fileCount: files.length,
        transport: connection.transport, remoteAddr: connection.remoteAddr,
        files: files.map(f => ({ relPath: f.relPath, size: f.size, localPath: f.absPath })),
        ...(init.text == null ? {} : { kind: 'text' as const, text: init.text })
      })
    }
    init.onTransferId?.(transferId)
    log('send %s: offer of %d file(s), %d bytes, to %s over %s', transferId, files.length, totalBytes, peerId, connection.transport)
    this.writer = new ProgressWriter(store, transferId)
    this.reporter = new ProgressReporter({ transferId, direction: 'send', peerId, totalBytes, files }, init.onProgress)
    try {
      const accepted = await this.offer(offerFrame)
      const acceptedAt = Date.now()
      if (accepted.skippedBytes > 0) resumeLog('send %s: resumes, the receiver has %d bytes (%d file(s) whole)', transferId, accepted.skippedBytes, accepted.have.size)
      init.onAccepted?.(transferId, accepted.skippedBytes)
      await this.sendAll(accepted)
      const confirmed = await this.confirm(accepted.chosen)
      return {
        transferId, direction: 'send', peerId, totalBytes: this.acceptedBytes, durationMs: Date.now() - this.started, transferMs: Date.now() - acceptedAt, connection,
        skippedBytes: accepted.skippedBytes, files: files.flatMap((f, i) => accepted.chosen?.has(i) === false ? [] : [{ path: f.relPath, size: f.size, sha256: confirmed.get(i) ?? '' }]),
        ...(accepted.chosen == null ? {} : { notAccepted: files.flatMap((f, i) => accepted.chosen?.has(i) === false ? [f.relPath] : []) }),
        ...(init.text == null ? {} : { kind: 'text' as const, text: init.text })
      }
    } catch (err) {
      return await this.fail(err)
    }
  }

  /**
   * §5 Sender step 1 (the transfer is recorded `offered` already): opens the stream, sends `offer`, and waits up to
   * `DECISION_TIMEOUT_MS` for the answer; checks the `accept`'s offsets and `complete` list (§4) and records
   * `transferring`. From then on the receiver's messages are read in the background (step 2).
   *
   * @throws {RemoteError} on `reject` or `error`; {ProtocolError} on anything else or a bad `accept`; {StreamOpenError}
   *   when the connection could not open the stream (./open-stream.ts)
   */
  private async offer (offerFrame: Uint8Array): Promise<Accepted> {
    const { files, signal, timeouts } = this
    const stream = await openTransferStream(this.conn, timeouts.offerMs, signal)
    const channel = new FrameChannel(stream, { onPeerActivity: () => { notePeerActivity(this.conn) } })
    this.channel = channel
    stream.send(offerFrame)
    const answer = await channel.nextControl({ signal, timeoutMs: timeouts.decisionMs })
    if (answer.type === 'reject') throw new RemoteError(answer.code, answer.code === 'declined' ? `The receiver declined${answer.message !== '' ? `: ${answer.message}` : ''}` : `The receiver refused the offer: ${answer.message}`, { peerMessage: answer.message })
    if (answer.type === 'error') throw new RemoteError(answer.code, answer.message, { reason: answer.reason, peerMessage: answer.message })
    if (answer.type !== 'accept') throw new ProtocolError(`Expected accept or reject, got ${answer.type}`)
    const offsets = answer.offsets
    if (offsets.length !== files.length || offsets.some((o, i) => o > (files[i]?.size ?? 0) || (o % BLOCK_BYTES !== 0 && o !== files[i]?.size))) {
      throw new ProtocolError('The accept message does not give a valid offset for every file')
    }
    const have = new Set(answer.complete ?? [])
    if ([...have].some(i => i >= files.length || offsets[i] !== files[i]?.size)) throw new ProtocolError('The accept message lists a file as complete at an offset short of its size')
    const subsetProblem = answer.files == null ? undefined : acceptedSubsetProblem(answer.files, files.length)
    if (subsetProblem != null) throw new ProtocolError(subsetProblem)
    const chosen = answer.files == null ? undefined : new Set(answer.files)
    if (chosen != null && [...have].some(i => !chosen.has(i))) throw new ProtocolError('The accept message lists a file as complete that it did not accept')
    if (chosen != null && offsets.some((o, i) => o !== 0 && !chosen.has(i))) throw new ProtocolError('The accept message gives an offset for a file it did not accept')
    const skippedBytes = offsets.reduce((n, o) => n + o, 0)
    if (chosen != null) {
      // Recorded at once: the history says which files the receiver did not want.
      // Its size is what was accepted, as on the receiver's side (./incoming-record.ts).
      for (const i of files.keys()) if (!chosen.has(i)) this.store.transfers.fileDone(this.transferId, i, { state: 'skipped' })
      this.acceptedBytes = files.reduce((n, f, i) => n + (chosen.has(i) ? f.size : 0), 0)
      this.reporter.acceptedBytes(this.acceptedBytes)
      log('send %s: the receiver accepted %d of %d file(s)', this.transferId, chosen.size, files.length)
    }
    // A resumed send's record may hold an earlier accept's total.
    if (chosen != null || this.init.resumeId != null) this.store.transfers.update(this.transferId, { totalBytes: this.acceptedBytes })
    this.store.transfers.setState(this.transferId, 'transferring')
    this.feedback = new ReceiverFeedback(channel, () => this.sent)
    this.positions = [...offsets]
    this.progressBytes = skippedBytes
    return { offsets, have, skippedBytes, ...(chosen == null ? {} : { chosen }) }
  }

  /**
   * §5 Sender steps 3–5: every file in offer order (those the receiver has are skipped), going back on a `nack`
   * (step 4) to the bad block and on from there; then `done`, and the wait for `complete` (a `nack` instead is handled
   * as in step 4).
   */
  private async sendAll ({ offsets, have, chosen }: Accepted): Promise<void> {
    const { files, signal } = this
    const channel = this.channel as FrameChannel
    let rewind: Nack | undefined
    let index = 0
    while (true) {
      while (index < files.length) {
        const start = rewind?.index === index ? rewind.offset : (offsets[index] ?? 0)
        if (rewind == null && (have.has(index) || chosen?.has(index) === false)) { index++; continue }
        const nack = await this.sendFile(index, start, rewind != null)
        rewind = undefined
        if (nack != null) {
          rewind = this.rewindTo(nack, true)
          index = nack.index
          continue
        }
        index++
      }
      await channel.sendControl({ type: 'done' }, signal)
      await this.feedback.until(() => this.feedback.complete != null, this.timeouts.stallMs, signal)
      const nack = this.feedback.complete == null ? this.feedback.takeNack() : undefined
      if (nack == null) return
      rewind = this.rewindTo(nack, false)
      index = nack.index
    }
  }

  /**
   * §5 Sender step 4: a `nack` counts against `MAX_REWINDS` (one more is `hash-mismatch`); before `done` it must name
   * an offered file at a block boundary within it (`protocol-error`; after `done` it is not checked: §13 gap 3).
   *
   * @returns the nack, as where to rewind to
   */
  private rewindTo (nack: Nack, check: boolean): Nack {
    log('send %s: nack %d of %d, file %d at %d', this.transferId, this.rewinds + 1, MAX_REWINDS, nack.index, nack.offset)
    if (++this.rewinds > MAX_REWINDS) throw new TransferError('hash-mismatch', `The receiver found ${this.rewinds} corrupt blocks; giving up`)
    if (check && (nack.index >= this.files.length || nack.offset % BLOCK_BYTES !== 0 || nack.offset > (this.files[nack.index]?.size ?? 0))) throw new ProtocolError('The receiver asked for a block that does not exist')
    return nack
  }

  /**
   * §5 Sender step 3 (and step 4's `rewind`): hashes `[0, start)` of file `index`, sends `file-start` (or `rewind`),
   * then block by block its data frames within the window (§6) and each `block` hash, then `file-end`. Before each
   * data frame it stops if the receiver failed the transfer, and returns a `nack` if one came.
   *
   * @returns the nack that interrupted the file, or undefined when the file was sent whole
   */
  private async sendFile (index: number, start: number, rewinding: boolean): Promise<Nack | undefined> {
    const { signal, feedback, pool, timeouts } = this
    const ch = this.channel as FrameChannel
    const file = this.files[index] as LocalFile
    const fh = await openLocalFile(file)
    try {
      const fileHash = createHash('sha256')
      for (let pos = 0; pos < start; pos += BLOCK_BYTES) fileHash.update(await readExactly(fh, Math.min(BLOCK_BYTES, start - pos), pos, file.absPath))
      if (rewinding) await ch.sendControl({ type: 'rewind', index, offset: start }, signal)
      else await ch.sendControl({ type: 'file-start', index, offset: start, prefixSha256: start > 0 ? fileHash.copy().digest('hex') : undefined }, signal)
      for (let pos = start; pos < file.size;) {
        // Whole blocks reuse acknowledged buffers; a short one (end of a file) gets its own, so that many small
        // files in flight never hold a block-sized buffer each.
        const length = Math.min(BLOCK_BYTES, file.size - pos)
        const shared = this.init.sharedReads
        const buf = length === BLOCK_BYTES && shared == null ? pool.take(feedback.acked) : undefined
        const at = pos
        const block = shared == null ? await readExactly(fh, length, pos, file.absPath, buf) : await shared.read(file.absPath, at, length, async () => readExactly(fh, length, at, file.absPath))
        fileHash.update(block)
        for (let at = 0; at < block.byteLength; at += CHUNK_BYTES) {
          const chunk = block.subarray(at, Math.min(at + CHUNK_BYTES, block.byteLength))
          if (this.sent + chunk.byteLength - feedback.acked > WINDOW_BYTES) await feedback.until(() => this.sent + chunk.byteLength - feedback.acked <= WINDOW_BYTES, timeouts.stallMs, signal)
          if (feedback.failure != null) throw feedback.failure
          if (feedback.nack != null) { if (buf != null) pool.hold(buf, this.sent); return feedback.takeNack() }
          await this.init.throttle?.take(chunk.byteLength, signal)
          await ch.sendData(chunk, signal)
          this.sent += chunk.byteLength
        }
        if (buf != null) pool.hold(buf, this.sent)
        await ch.sendControl({ type: 'block', index, offset: pos, sha256: createHash('sha256').update(block).digest('hex') }, signal)
        pos += block.byteLength
        const reached = this.positions[index] ?? 0
        if (pos > reached) { this.progressBytes += pos - reached; this.positions[index] = pos }
        this.reporter.update(this.progressBytes, index)
        this.writer.update(this.progressBytes, index, pos)
      }
      const sha256 = fileHash.digest('hex')
      this.hashes[index] = sha256
      await ch.sendControl({ type: 'file-end', index, sha256 }, signal)
      return undefined
    } finally {
      await fh.close()
    }
  }

  /**
   * §5 Sender step 5: `complete` must list every offered file, with the SHA-256 this side computed for each file it
   * sent on this stream (a skipped file is recorded with the receiver's hash); else `protocol-error`. Records every
   * file `verified` and the transfer `completed`, and closes the stream.
   *
   * @returns the confirmed hash of each file, by index
   */
  private async confirm (chosen?: ReadonlySet<number>): Promise<Map<number, string>> {
    const { store, transferId } = this
    // Only the files the receiver accepted (all, unless it named some): the others stay recorded `skipped`.
    const files = [...this.files.entries()].filter(([i]) => chosen?.has(i) !== false)
    const confirmed = new Map((this.feedback.complete?.files ?? []).map(f => [f.index, f.sha256]))
    for (const [i, file] of files) {
      const mine = this.hashes[i]
      if (!confirmed.has(i) || (mine != null && confirmed.get(i) !== mine)) throw new ProtocolError(`The receiver did not confirm ${file.relPath} with the right SHA-256`)
    }
    this.writer.flush()
    for (const [i, file] of files) store.transfers.fileDone(transferId, i, { sha256: confirmed.get(i) ?? '', localPath: file.absPath, state: 'verified' })
    store.transfers.setState(transferId, 'completed')
    log('send %s: completed, %d file(s) confirmed', transferId, files.length)
    await (this.channel as FrameChannel).close().catch(() => {})
    this.reporter.finish(this.acceptedBytes)
    return confirmed
  }

  /** A send that did not complete (§11): recorded as ./outcome.ts says, the receiver told when it should be. */
  private async fail (err: unknown): Promise<never> {
    this.writer.flush()
    const outcome = outcomeOf(err, this.signal)
    this.store.transfers.setState(this.transferId, outcome.state, outcome.error)
    log('send %s: ended %s (%s%s)', this.transferId, outcome.state, outcome.code, outcome.error.reason == null ? '' : `, ${outcome.error.reason}`)
    if (outcome.tellPeer) await this.channel?.sendErrorAndClose(outcome.code, messageForPeer(err, outcome.code, outcome.message), { reason: outcome.error.reason })
    else this.channel?.abort(err as Error)
    // Data stopped flowing after the accept (this side's stall timeout, or the receiver's): the connection is presumed
    // stuck — an SCTP association can stop sending while libp2p still lists it open — so it is closed, and a new one
    // resumes this transfer (./attempts.ts) instead of stalling on it too. Other streams on it end interrupted and resume.
    if (outcome.code === 'timeout' && this.feedback != null) {
      if (this.conn.status === 'open') {
        log('send %s: no data moved for the stall timeout; closing connection %s', this.transferId, this.conn.id)
        this.conn.abort(new StreamClosedError('No data moved on the connection for the stall timeout'))
      }
      throw new ConnectionStalledError(err)
    }
    throw err
  }
}
