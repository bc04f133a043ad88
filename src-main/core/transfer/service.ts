import { EventEmitter } from 'node:events'
import type { Connection, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { errorMessage } from '../errors/index.ts'
import { dialDirect, describeConnection } from '../node/index.ts'
import type { ConnectionInfo, FerryLibp2p } from '../node/index.ts'
import { validateFileList } from '../paths/index.ts'
import { MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, TRANSFER_PROTOCOL } from '../protocol/index.ts'
import type { Store } from '../store/index.ts'
import { collectFiles } from './local-files.ts'
import { receiveTransfer } from './receiver.ts'
import { sendFiles } from './sender.ts'
import type { IncomingOffer, OfferDecision, TransferProgress, TransferResult } from './types.ts'

/** Events of a {@link TransferService}. */
export interface TransferEvents {
  /** A validated incoming offer, before it is decided. */
  offer: [IncomingOffer]
  /** An incoming offer was declined. */
  declined: [IncomingOffer]
  progress: [TransferProgress]
  /** A transfer in either direction completed and verified. */
  complete: [TransferResult]
  /** A transfer in either direction ended without completing; `state` is how it is recorded. */
  failed: [{ transferId?: string, direction: 'send' | 'receive', peerId: string, code: string, message: string }]
}

/** Options of {@link TransferService}. */
export interface TransferServiceInit {
  node: FerryLibp2p
  store: Store
  /** Folder incoming files are written into. */
  downloadDir: string
  /** Decides incoming offers (a prompt, `--yes`, or a trust policy). Without it every offer is declined. */
  decide?: (offer: IncomingOffer, signal: AbortSignal) => Promise<OfferDecision>
  /** Display name sent with offers. */
  displayName?: string
}

/** Options of {@link TransferService.send}. */
export interface SendOptions {
  signal?: AbortSignal
  /** Called once the connection that carries the data is up. */
  onConnected?: (info: ConnectionInfo) => void
  /** Called before a dial retry. */
  onRetry?: (attempt: number, err: unknown) => void
  /** Called with the paths that were skipped (symbolic links, special files). */
  onSkipped?: (paths: string[]) => void
}

/**
 * Sends and receives transfers for one node: registers the `/ferry/transfer/1.0.0` handler (refused on limited
 * connections, at most `MAX_INBOUND_STREAMS` at once per connection) and sends files to a peer's multiaddr.
 * Everything is recorded in the store; events report offers, progress and outcomes.
 */
export class TransferService extends EventEmitter<TransferEvents> {
  private readonly init: TransferServiceInit
  private readonly running = new Set<AbortController>()

  constructor (init: TransferServiceInit) {
    super()
    this.init = init
  }

  /** Registers the protocol handler. */
  async start (): Promise<void> {
    await this.init.node.handle(TRANSFER_PROTOCOL, (stream, conn) => { void this.onStream(stream, conn) }, {
      runOnLimitedConnection: false,
      maxInboundStreams: MAX_INBOUND_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_STREAMS
    })
  }

  /** Unregisters the handler and cancels transfers in progress (they are recorded as cancelled). */
  async stop (): Promise<void> {
    await this.init.node.unhandle(TRANSFER_PROTOCOL)
    for (const controller of this.running) controller.abort()
  }

  private track (signal?: AbortSignal): { controller: AbortController, signal: AbortSignal, done: () => void } {
    const controller = new AbortController()
    this.running.add(controller)
    return {
      controller,
      signal: signal == null ? controller.signal : AbortSignal.any([signal, controller.signal]),
      done: () => this.running.delete(controller)
    }
  }

  private async onStream (stream: Stream, conn: Connection): Promise<void> {
    const job = this.track()
    try {
      const result = await receiveTransfer(stream, conn, {
        store: this.init.store,
        downloadDir: this.init.downloadDir,
        signal: job.signal,
        decide: this.init.decide ?? (async () => ({ accept: false, reason: 'This peer does not accept files' })),
        onOffer: (offer) => this.emit('offer', offer),
        onDeclined: (offer) => this.emit('declined', offer),
        onProgress: (p) => this.emit('progress', p)
      })
      if (result != null) this.emit('complete', result)
    } catch (err) {
      this.emit('failed', { direction: 'receive', peerId: conn.remotePeer.toString(), code: (err as { code?: string }).code ?? 'internal', message: errorMessage(err) })
    } finally {
      job.done()
    }
  }

  /**
   * Sends files and folders (folders with their structure) to the peer at `to`, typically its
   * `<relay>/p2p-circuit/webrtc/p2p/<peer ID>` address, or a direct TCP address on a LAN.
   * Local paths are checked before dialing; the dial is retried; file bytes only ever flow over a direct connection.
   *
   * @throws {SourcePathError} when a path cannot be read
   * @throws {UnsafePathError} when a file name could not be written safely on the other side
   * @throws {DialError} when the peer cannot be reached
   * @throws {RemoteError} with code `declined` when the receiver declines
   * @throws the errors of `sendFiles` otherwise
   */
  async send (to: Multiaddr, paths: readonly string[], options: SendOptions = {}): Promise<TransferResult> {
    const job = this.track(options.signal)
    let peerId = to.getComponents().findLast(c => c.name === 'p2p')?.value ?? ''
    try {
      const { files, skipped } = await collectFiles(paths, job.signal)
      if (skipped.length > 0) options.onSkipped?.(skipped)
      validateFileList(files.map(f => f.relPath))
      const conn = await dialDirect(this.init.node, to, { signal: job.signal, onRetry: options.onRetry })
      peerId = conn.remotePeer.toString()
      options.onConnected?.(describeConnection(conn))
      const result = await sendFiles(conn, files, {
        store: this.init.store,
        senderName: this.init.displayName,
        signal: job.signal,
        onProgress: (p) => this.emit('progress', p)
      })
      this.emit('complete', result)
      return result
    } catch (err) {
      this.emit('failed', { direction: 'send', peerId, code: (err as { code?: string }).code ?? 'internal', message: errorMessage(err) })
      throw err
    } finally {
      job.done()
    }
  }
}
