import { createHash, randomUUID } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import type { Connection } from '@libp2p/interface'
import { describeConnection, notePeerActivity } from '../node/index.ts'
import {
  BLOCK_BYTES, CHUNK_BYTES, encodeControl, MAX_OUTBOUND_STREAMS, MAX_REWINDS, PROTOCOL_VERSION, ProtocolError,
  RemoteError, TRANSFER_PROTOCOL, TransferError, WINDOW_BYTES
} from '../protocol/index.ts'
import type { Nack, Offer } from '../protocol/index.ts'
import { ProgressWriter } from '../store/index.ts'
import type { Store } from '../store/index.ts'
import { BlockPool } from './block-pool.ts'
import { FrameChannel } from './channel.ts'
import { ReceiverFeedback } from './feedback.ts'
import { openLocalFile } from './local-files.ts'
import type { LocalFile } from './local-files.ts'
import { messageForPeer, outcomeOf } from './outcome.ts'
import { ProgressReporter } from './progress.ts'
import { timeoutsOf } from './timeouts.ts'
import type { TransferTimeouts } from './timeouts.ts'
import type { TransferProgress, TransferResult } from './types.ts'

/** Options of {@link sendFiles}. */
export interface SendInit {
  store: Store
  /** Display name shown to the receiver. */
  senderName?: string
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
}

function readError (err: unknown, path: string): TransferError {
  return err instanceof TransferError ? err : new TransferError('read-failed', `Cannot read ${path}: ${(err as Error).message}`, { cause: err })
}

/** Reads `length` bytes at `position` (into `into`, if given), or fails if the file became shorter. */
async function readExactly (fh: FileHandle, length: number, position: number, path: string, into?: Buffer): Promise<Buffer> {
  const buf = into == null ? Buffer.allocUnsafe(length) : into.subarray(0, length)
  let got = 0
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got).catch((err: unknown) => { throw readError(err, path) })
    if (bytesRead === 0) throw new TransferError('read-failed', `${path} became shorter while it was being sent`)
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
 * @throws {StreamClosedError} when the connection drops (recorded as interrupted: sending again resumes)
 * @throws {AbortedError} when `signal` aborts (the receiver is told `cancelled`)
 * @throws {TransferError} on a local read failure, an offer too large to encode, or a receiver that stalls
 * @throws {ProtocolError} when the receiver breaks the protocol
 */
export async function sendFiles (conn: Connection, files: readonly LocalFile[], init: SendInit): Promise<TransferResult> {
  const started = Date.now()
  const transferId = init.resumeId ?? init.transferId ?? randomUUID()
  const peerId = conn.remotePeer.toString()
  const connection = describeConnection(conn)
  const totalBytes = files.reduce((n, f) => n + f.size, 0)
  const { store, signal } = init
  const timeouts = timeoutsOf(init.timeouts)
  const offer: Offer = {
    type: 'offer', version: PROTOCOL_VERSION, transferId, senderName: init.senderName, totalBytes,
    files: files.map(f => ({ path: f.relPath, size: f.size }))
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
      files: files.map(f => ({ relPath: f.relPath, size: f.size, localPath: f.absPath }))
    })
  }
  init.onTransferId?.(transferId)
  const writer = new ProgressWriter(store, transferId)
  const reporter = new ProgressReporter({ transferId, direction: 'send', peerId, totalBytes, files }, init.onProgress)
  let channel: FrameChannel | undefined
  try {
    // The open is bounded by its own timeout: libp2p would reset the stream when a signal given here aborts later,
    // and a cancel or pause must reach the receiver as a message, not as a reset.
    const opening = signal == null ? AbortSignal.timeout(timeouts.offerMs) : AbortSignal.any([signal, AbortSignal.timeout(timeouts.offerMs)])
    const stream = await conn.newStream(TRANSFER_PROTOCOL, { signal: opening, runOnLimitedConnection: false, maxOutboundStreams: MAX_OUTBOUND_STREAMS })
    channel = new FrameChannel(stream, { onPeerActivity: () => { notePeerActivity(conn) } })
    stream.send(offerFrame)
    const answer = await channel.nextControl({ signal, timeoutMs: timeouts.decisionMs })
    if (answer.type === 'reject') throw new RemoteError(answer.code, answer.code === 'declined' ? `The receiver declined${answer.message !== '' ? `: ${answer.message}` : ''}` : `The receiver refused the offer: ${answer.message}`)
    if (answer.type === 'error') throw new RemoteError(answer.code, answer.message)
    if (answer.type !== 'accept') throw new ProtocolError(`Expected accept or reject, got ${answer.type}`)
    const offsets = answer.offsets
    if (offsets.length !== files.length || offsets.some((o, i) => o > (files[i]?.size ?? 0) || (o % BLOCK_BYTES !== 0 && o !== files[i]?.size))) {
      throw new ProtocolError('The accept message does not give a valid offset for every file')
    }
    const have = new Set(answer.complete ?? [])
    if ([...have].some(i => i >= files.length || offsets[i] !== files[i]?.size)) throw new ProtocolError('The accept message lists a file as complete at an offset short of its size')
    const skippedBytes = offsets.reduce((n, o) => n + o, 0)
    store.transfers.setState(transferId, 'transferring')
    const acceptedAt = Date.now()
    init.onAccepted?.(transferId, skippedBytes)

    let sent = 0
    const feedback = new ReceiverFeedback(channel, () => sent)
    const positions = [...offsets]
    let progressBytes = skippedBytes
    const hashes: Array<string | undefined> = []
    const ch = channel
    const pool = new BlockPool(BLOCK_BYTES)

    /** Sends file `index` from `start`; returns a nack if the receiver asked for a block again meanwhile. */
    const sendFile = async (index: number, start: number, rewinding: boolean): Promise<Nack | undefined> => {
      const file = files[index] as LocalFile
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
          const buf = length === BLOCK_BYTES ? pool.take(feedback.acked) : undefined
          const block = await readExactly(fh, length, pos, file.absPath, buf)
          fileHash.update(block)
          for (let at = 0; at < block.byteLength; at += CHUNK_BYTES) {
            const chunk = block.subarray(at, Math.min(at + CHUNK_BYTES, block.byteLength))
            if (sent + chunk.byteLength - feedback.acked > WINDOW_BYTES) await feedback.until(() => sent + chunk.byteLength - feedback.acked <= WINDOW_BYTES, timeouts.stallMs, signal)
            if (feedback.failure != null) throw feedback.failure
            if (feedback.nack != null) { if (buf != null) pool.hold(buf, sent); return feedback.takeNack() }
            await ch.sendData(chunk, signal)
            sent += chunk.byteLength
          }
          if (buf != null) pool.hold(buf, sent)
          await ch.sendControl({ type: 'block', index, offset: pos, sha256: createHash('sha256').update(block).digest('hex') }, signal)
          pos += block.byteLength
          if (pos > (positions[index] ?? 0)) { progressBytes += pos - (positions[index] ?? 0); positions[index] = pos }
          reporter.update(progressBytes, index)
          writer.update(progressBytes, index, pos)
        }
        const sha256 = fileHash.digest('hex')
        hashes[index] = sha256
        await ch.sendControl({ type: 'file-end', index, sha256 }, signal)
        return undefined
      } finally {
        await fh.close()
      }
    }

    let rewinds = 0
    let rewind: Nack | undefined
    let index = 0
    while (true) {
      while (index < files.length) {
        const start = rewind?.index === index ? rewind.offset : (offsets[index] ?? 0)
        if (rewind == null && have.has(index)) { index++; continue }
        const nack = await sendFile(index, start, rewind != null)
        rewind = undefined
        if (nack != null) {
          if (++rewinds > MAX_REWINDS) throw new TransferError('hash-mismatch', `The receiver found ${rewinds} corrupt blocks; giving up`)
          if (nack.index >= files.length || nack.offset % BLOCK_BYTES !== 0 || nack.offset > (files[nack.index]?.size ?? 0)) throw new ProtocolError('The receiver asked for a block that does not exist')
          rewind = nack
          index = nack.index
          continue
        }
        index++
      }
      await ch.sendControl({ type: 'done' }, signal)
      await feedback.until(() => feedback.complete != null, timeouts.stallMs, signal)
      const nack = feedback.complete == null ? feedback.takeNack() : undefined
      if (nack == null) break
      if (++rewinds > MAX_REWINDS) throw new TransferError('hash-mismatch', `The receiver found ${rewinds} corrupt blocks; giving up`)
      rewind = nack
      index = nack.index
    }
    const confirmed = new Map((feedback.complete?.files ?? []).map(f => [f.index, f.sha256]))
    for (const [i, file] of files.entries()) {
      const mine = hashes[i]
      if (!confirmed.has(i) || (mine != null && confirmed.get(i) !== mine)) throw new ProtocolError(`The receiver did not confirm ${file.relPath} with the right SHA-256`)
    }
    writer.flush()
    for (const [i, file] of files.entries()) store.transfers.fileDone(transferId, i, { sha256: confirmed.get(i) ?? '', localPath: file.absPath, state: 'verified' })
    store.transfers.setState(transferId, 'completed')
    await ch.close().catch(() => {})
    reporter.finish(totalBytes)
    return {
      transferId, direction: 'send', peerId, totalBytes, durationMs: Date.now() - started, transferMs: Date.now() - acceptedAt, connection,
      skippedBytes, files: files.map((f, i) => ({ path: f.relPath, size: f.size, sha256: confirmed.get(i) ?? '' }))
    }
  } catch (err) {
    writer.flush()
    const outcome = outcomeOf(err, signal)
    store.transfers.setState(transferId, outcome.state, { code: outcome.code, message: outcome.message })
    if (outcome.tellPeer) await channel?.sendErrorAndClose(outcome.code, messageForPeer(err, outcome.code, outcome.message))
    else channel?.abort(err as Error)
    throw err
  }
}
