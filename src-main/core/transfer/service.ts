import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection, Stream, StreamMiddleware } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { errorMessage } from '../errors/index.ts'
import { dialDirect, describeConnection } from '../node/index.ts'
import type { ConnectionInfo, FerryLibp2p } from '../node/index.ts'
import { validateFileList } from '../paths/index.ts'
import { MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, TRANSFER_PROTOCOL } from '../protocol/index.ts'
import type { Store } from '../store/index.ts'
import { StreamClosedError } from './channel.ts'
import { MAX_PENDING_OFFERS, MAX_PENDING_OFFERS_PER_PEER, RESUME_RETRY_DELAY_MS } from './constants.ts'
import { collectFiles } from './local-files.ts'
import type { LocalFile } from './local-files.ts'
import { receiveTransfer } from './receiver.ts'
import { findSendToResume } from './resume.ts'
import { sendFiles } from './sender.ts'
import type { TransferTimeouts } from './timeouts.ts'
import type { IncomingOffer, OfferDecision, TransferProgress, TransferResult } from './types.ts'

/** Events of a {@link TransferService}. */
export interface TransferEvents {
  /** A validated incoming offer, before it is decided. */
  offer: [IncomingOffer]
  /** An incoming offer was declined. */
  declined: [IncomingOffer]
  /** A transfer resumes (either side), with the bytes that will not be sent again. */
  resuming: [{ transferId: string, direction: 'send' | 'receive', peerId: string, skippedBytes: number }]
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
  /** Shorter timeouts (tests), in ms. */
  timeouts?: Partial<TransferTimeouts>
  /** libp2p stream middleware run on incoming transfer streams before the handler. */
  middleware?: StreamMiddleware[]
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
  /**
   * After the connection drops mid-transfer, keep trying to reach the peer and resume for this long, in ms
   * (default 0: fail with the interruption). A transfer never interrupted is not retried.
   */
  retryForMs?: number
  /** Called when the connection dropped and the transfer will be resumed, with the attempt number. */
  onInterrupted?: (attempt: number, err: unknown) => void
}

/**
 * Sends and receives transfers for one node: registers the `/ferry/transfer/1.0.0` handler (refused on limited
 * connections, at most `MAX_INBOUND_STREAMS` at once per connection) and sends files to a peer's multiaddr.
 * Everything is recorded in the store; events report offers, progress and outcomes.
 */
export class TransferService extends EventEmitter<TransferEvents> {
  private readonly init: TransferServiceInit
  private readonly running = new Set<AbortController>()
  private readonly pending = new Map<string, number>()

  constructor (init: TransferServiceInit) {
    super()
    this.init = init
  }

  /** Registers the protocol handler. */
  async start (): Promise<void> {
    await this.init.node.handle(TRANSFER_PROTOCOL, (stream, conn) => { void this.onStream(stream, conn) }, {
      runOnLimitedConnection: false,
      maxInboundStreams: MAX_INBOUND_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_STREAMS,
      middleware: this.init.middleware
    })
  }

  /**
   * The decision policy with flood control: a peer with `MAX_PENDING_OFFERS_PER_PEER` undecided offers, or
   * `MAX_PENDING_OFFERS` undecided offers in all, gets `busy` without anyone being asked.
   */
  private async decide (offer: IncomingOffer, signal: AbortSignal): Promise<OfferDecision> {
    const decide = this.init.decide
    if (decide == null) return { accept: false, reason: 'This peer does not accept files' }
    const mine = this.pending.get(offer.peerId) ?? 0
    const all = [...this.pending.values()].reduce((n, v) => n + v, 0)
    if (mine >= MAX_PENDING_OFFERS_PER_PEER || all >= MAX_PENDING_OFFERS) return { accept: false, code: 'busy', reason: 'Too many offers are waiting for an answer; try again later' }
    this.pending.set(offer.peerId, mine + 1)
    try {
      return await decide(offer, signal)
    } finally {
      const left = (this.pending.get(offer.peerId) ?? 1) - 1
      if (left <= 0) this.pending.delete(offer.peerId)
      else this.pending.set(offer.peerId, left)
    }
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
        decide: async (offer, signal) => this.decide(offer, signal),
        timeouts: this.init.timeouts,
        onOffer: (offer) => this.emit('offer', offer),
        onResume: (offer, skippedBytes) => this.emit('resuming', { transferId: offer.transferId, direction: 'receive', peerId: offer.peerId, skippedBytes }),
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
      const deadline = Date.now() + (options.retryForMs ?? 0)
      for (let attempt = 1; ; attempt++) {
        try {
          const conn = await dialDirect(this.init.node, to, { signal: job.signal, onRetry: options.onRetry })
          peerId = conn.remotePeer.toString()
          options.onConnected?.(describeConnection(conn))
          const result = await this.sendOver(conn, files, job.signal)
          this.emit('complete', result)
          return result
        } catch (err) {
          // Only a transfer that was under way and lost its connection is retried; a first dial that fails is not.
          const interrupted = err instanceof StreamClosedError || (attempt > 1 && (err as { code?: string }).code === 'peer-unreachable')
          if (!interrupted || Date.now() >= deadline || job.signal.aborted) throw err
          options.onInterrupted?.(attempt, err)
          await sleep(RESUME_RETRY_DELAY_MS, undefined, { signal: job.signal }).catch(() => {})
        }
      }
    } catch (err) {
      this.emit('failed', { direction: 'send', peerId, code: (err as { code?: string }).code ?? 'internal', message: errorMessage(err) })
      throw err
    } finally {
      job.done()
    }
  }

  /** Sends over an open connection, resuming an earlier interrupted send of the same files to that peer if any. */
  private async sendOver (conn: Connection, files: LocalFile[], signal: AbortSignal): Promise<TransferResult> {
    const peerId = conn.remotePeer.toString()
    return sendFiles(conn, files, {
      store: this.init.store,
      senderName: this.init.displayName,
      resumeId: findSendToResume(this.init.store, peerId, files),
      signal,
      timeouts: this.init.timeouts,
      onProgress: (p) => this.emit('progress', p),
      onAccepted: (transferId, skippedBytes) => { if (skippedBytes > 0) this.emit('resuming', { transferId, direction: 'send', peerId, skippedBytes }) }
    })
  }
}
