import { createHash, randomUUID } from 'node:crypto'
import { open } from 'node:fs/promises'
import type { Connection } from '@libp2p/interface'
import { throwIfAborted } from '../errors/index.ts'
import { describeConnection } from '../node/index.ts'
import {
  CHUNK_BYTES, DECISION_TIMEOUT_MS, PROTOCOL_VERSION, ProtocolError, RemoteError, STALL_TIMEOUT_MS,
  TRANSFER_PROTOCOL, TransferError, WINDOW_BYTES, MAX_OUTBOUND_STREAMS
} from '../protocol/index.ts'
import type { Complete, ControlMessage } from '../protocol/index.ts'
import { ProgressWriter } from '../store/index.ts'
import type { Store } from '../store/index.ts'
import { FrameChannel } from './channel.ts'
import type { LocalFile } from './local-files.ts'
import { outcomeOf } from './outcome.ts'
import { ProgressReporter } from './progress.ts'
import type { TransferProgress, TransferResult } from './types.ts'

/** Options of {@link sendFiles}. */
export interface SendInit {
  store: Store
  /** Display name shown to the receiver. */
  senderName?: string
  signal?: AbortSignal
  onProgress?: (progress: TransferProgress) => void
  /** Called once the receiver accepted, before the first byte is sent. */
  onAccepted?: (transferId: string) => void
  /** Called once the transfer is recorded, before the offer goes out. */
  onOffered?: (transferId: string) => void
}

/** Bytes read from disk per read call; split into `CHUNK_BYTES` data frames. */
const READ_BYTES = 1024 * 1024

/**
 * Acknowledgements and the final `complete` message, read from the channel while the sender writes. Waiting for
 * window space or completion times out after `STALL_TIMEOUT_MS` without news from the receiver.
 */
class ReceiverFeedback {
  acked = 0
  complete: Complete | undefined
  failure: Error | undefined
  private wake: (() => void) | undefined

  constructor (channel: FrameChannel) {
    void (async () => {
      try {
        while (true) {
          const msg: ControlMessage = await channel.nextControl({ timeoutMs: 24 * 60 * 60_000 })
          if (msg.type === 'ack') this.acked = Math.max(this.acked, msg.bytes)
          else if (msg.type === 'complete') { this.complete = msg; this.notify(); return }
          else if (msg.type === 'error') throw new RemoteError(msg.code, `The receiver stopped the transfer: ${msg.message}`)
          else throw new ProtocolError(`Unexpected ${msg.type} message from the receiver`)
          this.notify()
        }
      } catch (err) {
        this.failure ??= err as Error
        this.notify()
      }
    })()
  }

  private notify (): void {
    this.wake?.()
  }

  /** Resolves once `ready()` holds; throws the receiver's error, or a timeout after `STALL_TIMEOUT_MS` without news. */
  async until (ready: () => boolean, signal?: AbortSignal): Promise<void> {
    while (!ready()) {
      if (this.failure != null) throw this.failure
      throwIfAborted(signal)
      const { promise, resolve } = Promise.withResolvers<boolean>()
      this.wake = () => resolve(false)
      const timer = setTimeout(() => resolve(true), STALL_TIMEOUT_MS)
      const onAbort = (): void => resolve(false)
      signal?.addEventListener('abort', onAbort, { once: true })
      const timedOut = await promise
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      this.wake = undefined
      if (timedOut) throw new TransferError('timeout', `The receiver acknowledged nothing for ${STALL_TIMEOUT_MS / 1000} s`)
    }
    if (this.failure != null && this.complete == null) throw this.failure
  }
}

/**
 * Sends `files` to the peer at the other end of `conn` (docs/PROTOCOL.md, "Sender"): offer, wait for accept, then
 * each file as `file-start`, data frames, `file-end` with its SHA-256, then `done`; succeeds only when the receiver's
 * `complete` lists the same hashes. The transfer is recorded in `store` from the offer on, with throttled progress.
 *
 * @throws {RemoteError} code `declined` when the receiver declines; another code when it fails the transfer
 * @throws {StreamClosedError} when the connection drops (recorded as interrupted)
 * @throws {AbortedError} when `signal` aborts (the receiver is told `cancelled`)
 * @throws {TransferError} on a local read failure or a receiver that stalls
 */
export async function sendFiles (conn: Connection, files: readonly LocalFile[], init: SendInit): Promise<TransferResult> {
  const started = Date.now()
  const transferId = randomUUID()
  const peerId = conn.remotePeer.toString()
  const connection = describeConnection(conn)
  const totalBytes = files.reduce((n, f) => n + f.size, 0)
  const { store, signal } = init
  store.transfers.create({
    id: transferId, direction: 'send', peerId, state: 'offered', totalBytes, fileCount: files.length,
    transport: connection.transport, remoteAddr: connection.remoteAddr,
    files: files.map(f => ({ relPath: f.relPath, size: f.size, localPath: f.absPath }))
  })
  init.onOffered?.(transferId)
  const writer = new ProgressWriter(store, transferId)
  const reporter = new ProgressReporter({ transferId, direction: 'send', peerId, totalBytes, files }, init.onProgress)
  let channel: FrameChannel | undefined
  try {
    const stream = await conn.newStream(TRANSFER_PROTOCOL, { signal, runOnLimitedConnection: false, maxOutboundStreams: MAX_OUTBOUND_STREAMS })
    channel = new FrameChannel(stream)
    await channel.sendControl({
      type: 'offer', version: PROTOCOL_VERSION, transferId, senderName: init.senderName, totalBytes,
      files: files.map(f => ({ path: f.relPath, size: f.size }))
    }, signal)
    const answer = await channel.nextControl({ signal, timeoutMs: DECISION_TIMEOUT_MS })
    if (answer.type === 'reject') throw new RemoteError(answer.code, answer.code === 'declined' ? `The receiver declined${answer.message !== '' ? `: ${answer.message}` : ''}` : answer.message)
    if (answer.type === 'error') throw new RemoteError(answer.code, answer.message)
    if (answer.type !== 'accept') throw new ProtocolError(`Expected accept or reject, got ${answer.type}`)
    if (answer.offsets.length !== files.length || answer.offsets.some((o, i) => o > (files[i]?.size ?? 0))) {
      throw new ProtocolError('The accept message does not give a valid offset for every file')
    }
    store.transfers.setState(transferId, 'transferring')
    const acceptedAt = Date.now()
    init.onAccepted?.(transferId)

    const feedback = new ReceiverFeedback(channel)
    const hashes: string[] = []
    let sent = 0
    for (const [index, file] of files.entries()) {
      const offset = answer.offsets[index] ?? 0
      if (offset === file.size && file.size > 0) continue
      await channel.sendControl({ type: 'file-start', index }, signal)
      const hash = createHash('sha256')
      const fh = await open(file.absPath, 'r').catch((err: Error) => { throw new TransferError('read-failed', `Cannot read ${file.absPath}: ${err.message}`, { cause: err }) })
      try {
        let pos = 0
        while (pos < file.size) {
          const block = Buffer.allocUnsafe(Math.min(READ_BYTES, file.size - pos))
          const { bytesRead } = await fh.read(block, 0, block.byteLength, pos)
          if (bytesRead === 0) throw new TransferError('read-failed', `${file.absPath} became shorter while it was being sent`)
          hash.update(block.subarray(0, bytesRead))
          for (let at = 0; at < bytesRead; at += CHUNK_BYTES) {
            const chunk = block.subarray(at, Math.min(at + CHUNK_BYTES, bytesRead))
            if (sent - feedback.acked > WINDOW_BYTES) await feedback.until(() => sent - feedback.acked <= WINDOW_BYTES, signal)
            if (feedback.failure != null) throw feedback.failure
            await channel.sendData(chunk, signal)
            sent += chunk.byteLength
          }
          pos += bytesRead
          reporter.update(sent, index)
          writer.update(sent, index, pos)
        }
      } finally {
        await fh.close()
      }
      const sha256 = hash.digest('hex')
      hashes[index] = sha256
      await channel.sendControl({ type: 'file-end', index, sha256 }, signal)
    }
    await channel.sendControl({ type: 'done' }, signal)
    await feedback.until(() => feedback.complete != null, signal)
    const complete = feedback.complete as Complete
    const confirmed = new Map(complete.files.map(f => [f.index, f.sha256]))
    for (const [index, sha256] of hashes.entries()) {
      if (sha256 != null && confirmed.get(index) !== sha256) throw new ProtocolError(`The receiver did not confirm ${files[index]?.relPath ?? index} with the right SHA-256`)
    }
    writer.flush()
    for (const [index, sha256] of hashes.entries()) {
      if (sha256 != null) store.transfers.fileDone(transferId, index, { sha256, localPath: files[index]?.absPath ?? '', state: 'verified' })
    }
    store.transfers.setState(transferId, 'completed')
    await channel.close().catch(() => {})
    reporter.finish(sent)
    return {
      transferId, direction: 'send', peerId, totalBytes, durationMs: Date.now() - started, transferMs: Date.now() - acceptedAt, connection,
      files: files.map((f, i) => ({ path: f.relPath, size: f.size, sha256: hashes[i] ?? confirmed.get(i) ?? '' }))
    }
  } catch (err) {
    writer.flush()
    const outcome = outcomeOf(err)
    store.transfers.setState(transferId, outcome.state, { code: outcome.code, message: outcome.message })
    if (outcome.tellPeer) await channel?.sendErrorAndClose(outcome.code, outcome.message)
    else channel?.abort(err as Error)
    throw err
  }
}
