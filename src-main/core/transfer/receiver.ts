import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { open, statfs, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Connection, Stream } from '@libp2p/interface'
import { describeConnection } from '../node/index.ts'
import { placeFile, prepareDestination, UnsafePathError, validateFileList } from '../paths/index.ts'
import {
  ACK_EVERY_BYTES, OFFER_TIMEOUT_MS, ProtocolError, RemoteError, TransferError
} from '../protocol/index.ts'
import type { Offer } from '../protocol/index.ts'
import { ProgressWriter } from '../store/index.ts'
import type { Store } from '../store/index.ts'
import { FrameChannel } from './channel.ts'
import { outcomeOf } from './outcome.ts'
import { ProgressReporter } from './progress.ts'
import type { IncomingOffer, OfferDecision, TransferProgress, TransferResult, TransferredFile } from './types.ts'

/** Options of {@link receiveTransfer}. */
export interface ReceiveInit {
  store: Store
  /** Folder the files are written into (created if missing). */
  downloadDir: string
  /** Asks the person (or a policy) whether to accept; `signal` aborts if the sender goes away meanwhile. */
  decide: (offer: IncomingOffer, signal: AbortSignal) => Promise<OfferDecision>
  signal?: AbortSignal
  onProgress?: (progress: TransferProgress) => void
  /** Called once the offer passed validation and is recorded (before `decide`). */
  onOffer?: (offer: IncomingOffer) => void
  /** Called when the offer was declined (and the sender told so). */
  onDeclined?: (offer: IncomingOffer) => void
}

/** A file being received: its temp file, running hash and byte count. */
interface OpenFile {
  index: number
  dir: string
  tempPath: string
  handle: FileHandle
  hash: Hash
  received: number
}

function writeError (err: unknown, path: string): TransferError {
  const code = (err as NodeJS.ErrnoException).code
  const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied (read-only folder?)' : code === 'ENOENT' ? 'the download folder is gone' : (err as Error).message
  return new TransferError('write-failed', `Cannot write ${path}: ${why}`, { cause: err })
}

/** Name of the temp file of file `index` of a transfer: hidden, unique per transfer and file, in the final folder. */
export function tempName (transferId: string, index: number): string {
  return `.ferry-${transferId}-${index}.part`
}

/**
 * Runs the receiving side of one transfer on an incoming `/ferry/transfer/1.0.0` stream (docs/PROTOCOL.md,
 * "Receiver"). The offer is validated as a whole — schema, limits, every path through the path-safety module —
 * before it is shown or anything touches disk. Each file is written to an exclusive temp file in its destination
 * folder, hashed while written, and renamed into place (never over an existing file) only when its SHA-256 matches.
 *
 * @throws {ProtocolError} when the sender breaks the protocol (the sender is told, the transfer is recorded failed)
 * @throws {RemoteError} when the sender cancels or fails the transfer
 * @throws {StreamClosedError} when the connection drops (recorded as interrupted; temp files are kept for resume)
 */
export async function receiveTransfer (stream: Stream, conn: Connection, init: ReceiveInit): Promise<TransferResult | undefined> {
  const started = Date.now()
  const { store, signal } = init
  const channel = new FrameChannel(stream)
  const peerId = conn.remotePeer.toString()
  const connection = describeConnection(conn)
  if (connection.limited) {
    await channel.sendErrorAndClose('protocol-error', 'File transfers are refused on limited (relayed) connections')
    return undefined
  }

  let offer: Offer
  try {
    const first = await channel.nextControl({ signal, timeoutMs: OFFER_TIMEOUT_MS })
    if (first.type !== 'offer') throw new ProtocolError(`Expected an offer, got ${first.type}`)
    offer = first
    validateFileList(offer.files.map(f => f.path))
    if (store.transfers.get(offer.transferId) != null) throw new ProtocolError('An offer with this transfer ID was already received')
  } catch (err) {
    const code = err instanceof UnsafePathError ? 'invalid-offer' : outcomeOf(err).code
    await channel.sendErrorAndClose(code, (err as Error).message)
    throw err
  }

  const { transferId, files, totalBytes } = offer
  store.transfers.create({
    id: transferId, direction: 'receive', peerId, state: 'offered', totalBytes, fileCount: files.length,
    transport: connection.transport, remoteAddr: connection.remoteAddr, destDir: init.downloadDir,
    files: files.map(f => ({ relPath: f.path, size: f.size }))
  })
  const incoming: IncomingOffer = { transferId, peerId, senderName: offer.senderName, files, totalBytes, connection }
  const writer = new ProgressWriter(store, transferId)
  const reporter = new ProgressReporter({ transferId, direction: 'receive', peerId, totalBytes, files }, init.onProgress)
  let current: OpenFile | undefined
  const temps = new Set<string>()
  try {
    init.onOffer?.(incoming)
    const decision = await decideWhileConnected(channel, incoming, init)
    if (!decision.accept) {
      await channel.sendControl({ type: 'reject', code: 'declined', message: decision.reason ?? '' })
      await channel.close().catch(() => {})
      store.transfers.setState(transferId, 'declined', { code: 'declined', message: 'Declined' })
      init.onDeclined?.(incoming)
      return undefined
    }
    const free = await statfs(init.downloadDir).then(s => s.bavail * s.bsize, () => Number.POSITIVE_INFINITY)
    if (free < totalBytes) throw new TransferError('insufficient-space', `Not enough free space: the files need ${totalBytes} bytes, the download folder has ${free}`)
    await channel.sendControl({ type: 'accept', offsets: files.map(() => 0) }, signal)
    store.transfers.setState(transferId, 'transferring')
    const acceptedAt = Date.now()

    const results: TransferredFile[] = []
    const confirmed: Array<{ index: number, sha256: string }> = []
    let written = 0
    let ackedAt = 0
    let lastIndex = -1
    while (true) {
      const frame = await channel.next({ signal })
      if (frame.kind === 'data') {
        if (current == null) throw new ProtocolError('Data arrived outside a file')
        const size = files[current.index]?.size ?? 0
        if (current.received + frame.bytes.byteLength > size) throw new TransferError('size-mismatch', `The sender sent more bytes than offered for ${files[current.index]?.path}`)
        try {
          await current.handle.write(frame.bytes)
        } catch (err) {
          throw writeError(err, files[current.index]?.path ?? '')
        }
        current.hash.update(frame.bytes)
        current.received += frame.bytes.byteLength
        written += frame.bytes.byteLength
        if (written - ackedAt >= ACK_EVERY_BYTES) {
          ackedAt = written
          await channel.sendControl({ type: 'ack', bytes: written }, signal)
        }
        reporter.update(written, current.index)
        writer.update(written, current.index, current.received)
        continue
      }
      const msg = frame.message
      if (msg.type === 'file-start') {
        if (current != null) throw new ProtocolError('file-start before the previous file ended')
        if (msg.index <= lastIndex || msg.index >= files.length) throw new ProtocolError(`file-start for file ${msg.index} is out of order`)
        lastIndex = msg.index
        const relPath = files[msg.index]?.path ?? ''
        const dir = await prepareDestination(init.downloadDir, relPath, signal).catch((err: unknown) => { throw err instanceof UnsafePathError ? err : writeError(err, relPath) })
        const tempPath = join(dir, tempName(transferId, msg.index))
        const handle = await open(tempPath, 'wx', 0o644).catch((err: unknown) => { throw writeError(err, relPath) })
        temps.add(tempPath)
        current = { index: msg.index, dir, tempPath, handle, hash: createHash('sha256'), received: 0 }
      } else if (msg.type === 'file-end') {
        if (current == null || msg.index !== current.index) throw new ProtocolError('file-end for a file that was not started')
        const file = files[current.index] as Offer['files'][number]
        if (current.received !== file.size) throw new TransferError('size-mismatch', `The sender sent ${current.received} of ${file.size} bytes offered for ${file.path}`)
        const sha256 = current.hash.digest('hex')
        if (sha256 !== msg.sha256) throw new TransferError('hash-mismatch', `${file.path} arrived corrupted (SHA-256 mismatch); it was not saved`)
        try {
          await current.handle.datasync()
        } catch (err) {
          throw writeError(err, file.path)
        }
        await current.handle.close()
        const localPath = await placeFile(current.tempPath, current.dir, basename(file.path))
        temps.delete(current.tempPath)
        store.transfers.fileDone(transferId, current.index, { sha256, localPath, state: 'verified' })
        results.push({ path: file.path, size: file.size, sha256, localPath })
        confirmed.push({ index: current.index, sha256 })
        current = undefined
        ackedAt = written
        await channel.sendControl({ type: 'ack', bytes: written }, signal)
      } else if (msg.type === 'done') {
        if (current != null || results.length !== files.length) throw new TransferError('size-mismatch', `The sender ended after ${results.length} of ${files.length} files`)
        await channel.sendControl({ type: 'complete', files: confirmed }, signal)
        writer.flush()
        store.transfers.setState(transferId, 'completed')
        reporter.finish(written)
        await channel.close().catch(() => {})
        return { transferId, direction: 'receive', peerId, files: results, totalBytes, durationMs: Date.now() - started, transferMs: Date.now() - acceptedAt, connection }
      } else if (msg.type === 'error') {
        throw new RemoteError(msg.code, `The sender stopped the transfer: ${msg.message}`)
      } else {
        throw new ProtocolError(`Unexpected ${msg.type} message from the sender`)
      }
    }
  } catch (err) {
    writer.flush()
    const outcome = outcomeOf(err)
    store.transfers.setState(transferId, outcome.state, { code: outcome.code, message: outcome.message })
    if (outcome.tellPeer) await channel.sendErrorAndClose(outcome.code, outcome.message)
    else channel.abort(err as Error)
    await current?.handle.close().catch(() => {})
    // An interrupted transfer keeps its verified-so-far temp files for resume; any other failure removes them.
    if (outcome.state !== 'interrupted') await Promise.all([...temps].map(async t => unlink(t).catch(() => {})))
    throw err
  }
}

/** Runs `init.decide`, aborting it when the sender goes away; the stream stays quiet meanwhile. */
async function decideWhileConnected (channel: FrameChannel, offer: IncomingOffer, init: ReceiveInit): Promise<OfferDecision> {
  const controller = new AbortController()
  const onClose = (): void => controller.abort()
  channel.stream.addEventListener('close', onClose)
  const signal = init.signal == null ? controller.signal : AbortSignal.any([init.signal, controller.signal])
  try {
    const decision = await init.decide(offer, signal)
    if (controller.signal.aborted) throw new RemoteError('cancelled', 'The sender went away before the offer was answered')
    return decision
  } finally {
    channel.stream.removeEventListener('close', onClose)
  }
}
