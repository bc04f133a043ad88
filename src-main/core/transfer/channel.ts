import type { Stream } from '@libp2p/interface'
import { AbortedError, FerryError, throwIfAborted } from '../errors/index.ts'
import type { FailureReason } from '../errors/index.ts'
import {
  BLOCK_BYTES, encodeControl, encodeData, FrameDecoder, MAX_DATA_BYTES, MAX_FILES, ProtocolError, RemoteError,
  STALL_TIMEOUT_MS, TransferError, WINDOW_BYTES
} from '../protocol/index.ts'
import type { ControlMessage, Frame } from '../protocol/index.ts'

/** The stream closed or was reset before the transfer ended: the connection dropped or the peer went away. */
export class StreamClosedError extends FerryError {
  static override name = 'StreamClosedError'
  constructor (message = 'The connection to the peer was lost', options?: ErrorOptions) {
    super('interrupted', message, options)
  }
}

/** Data the peer may have in flight beyond what we acknowledged: the window plus a few frames of slack. */
export const MAX_QUEUED_DATA_BYTES = WINDOW_BYTES + 4 * MAX_DATA_BYTES
/**
 * Control frames waiting to be processed, at most. Control frames are not flow-controlled, and an honest sender gets
 * ahead of a receiver busy creating and syncing small files: for each file of the largest offer it sends `file-start`,
 * `block` and `file-end` without waiting (3 × `MAX_FILES`), plus a `block` per MiB of data in the window, `done` and
 * some slack (docs/PROTOCOL.md §12).
 */
export const MAX_QUEUED_CONTROL_FRAMES = 3 * MAX_FILES + 2 * (WINDOW_BYTES / BLOCK_BYTES) + 64
/**
 * Bytes of control frames (header + JSON) waiting to be processed, at most: an honest sender's largest backlog is
 * 287 bytes per file (`file-start`, `block` and `file-end` of a 1-byte file), 13.7 MiB for `MAX_FILES` files — 19 MiB
 * even with the longest encodings (test/unit/frame-queue-limits.test.ts).
 */
export const MAX_QUEUED_CONTROL_BYTES = 24 * 1024 * 1024
/**
 * Largest control frame accepted while the peer must stay quiet (between its offer and our answer), in bytes of
 * payload: room for an `error` message (a 1,024-unit message and a 64-character code, even fully `\u`-escaped).
 */
export const QUIET_MAX_CONTROL_BYTES = 16 * 1024

/**
 * A transfer-protocol view of a libp2p stream: incoming bytes become validated frames, read in order with
 * {@link FrameChannel.next}; outgoing messages are framed and written with backpressure honoured (libp2p 3 streams:
 * `send()` returns false when the buffer is full, wait for `drain`).
 *
 * A frame that breaks the protocol aborts the stream; the error is then thrown by the next read.
 */
export class FrameChannel {
  readonly stream: Stream
  private readonly decoder = new FrameDecoder()
  private readonly queue: Frame[] = []
  /** Wire size of each queued control frame, in queue order. */
  private readonly controlSizes: number[] = []
  private failure: Error | undefined
  private wake: (() => void) | undefined
  /** Bytes of data frames waiting in the queue. */
  queuedDataBytes = 0
  /** Control frames waiting in the queue, and their bytes on the wire. */
  queuedControlFrames = 0
  queuedControlBytes = 0
  /** Time spent waiting for the peer in {@link next}, in ms: what the peer made us wait, not our own work. */
  waitedMs = 0
  private closingWithError = false
  private decodeFailed = false
  /** Frames the peer sent so far; with `quietAfterFirst`, every frame after the first is checked. */
  private framesSeen = 0
  private quiet: boolean
  private readonly stopped = new AbortController()
  /**
   * Aborts when the peer can no longer go on: the stream closed or was reset, the peer broke the protocol (reason: the
   * `ProtocolError`), or it sent `error` while it had to wait for an answer (reason: a `RemoteError`).
   */
  readonly peerStopped: AbortSignal = this.stopped.signal

  /**
   * @param options.quietAfterFirst - the peer sends one frame (its offer), then nothing but possibly one `error`
   *   until {@link endQuiet} (docs/PROTOCOL.md §5: the sender waits for `accept`). Any other frame, or a control frame
   *   over `QUIET_MAX_CONTROL_BYTES`, is a protocol error: nothing more is read or queued meanwhile.
   * @param options.onPeerActivity - called whenever bytes arrive from the peer (before they are decoded) and whenever
   *   the stream's send buffer drains (the transport only takes more once the peer acknowledged what it sent): the
   *   node's liveness monitor counts both as proof that the peer is alive (`notePeerActivity`)
   */
  constructor (stream: Stream, options: { quietAfterFirst?: boolean, onPeerActivity?: () => void } = {}) {
    this.stream = stream
    this.quiet = options.quietAfterFirst === true
    const onPeerActivity = options.onPeerActivity
    stream.addEventListener('message', (evt) => {
      onPeerActivity?.()
      // After a malformed frame nothing more is read; after the peer's FIN, data it sent before still counts.
      if (this.decodeFailed) return
      try {
        const quietNow = this.quiet && this.framesSeen >= 1
        const limits = quietNow ? { control: QUIET_MAX_CONTROL_BYTES, data: 0 } : {}
        let decoded
        try {
          decoded = this.decoder.pushSized(evt.data, limits)
        } catch (err) {
          if (quietNow && err instanceof ProtocolError) throw new ProtocolError('The sender sent more than an offer before it was answered', { cause: err })
          throw err
        }
        for (const { frame, bytes } of decoded) this.enqueue(frame, bytes)
        if (this.queuedDataBytes > MAX_QUEUED_DATA_BYTES) throw new ProtocolError('The peer sent more data than the flow-control window allows')
        if (this.queuedControlFrames > MAX_QUEUED_CONTROL_FRAMES || this.queuedControlBytes > MAX_QUEUED_CONTROL_BYTES) {
          throw new ProtocolError('The peer sent more control messages than can wait to be processed')
        }
      } catch (err) {
        this.decodeFailed = true
        this.fail(err as Error)
        this.queue.length = 0
        this.controlSizes.length = 0
        this.queuedDataBytes = this.queuedControlBytes = this.queuedControlFrames = 0
        this.stopped.abort(err)
        // Nothing more is read: on muxers with flow control (Yamux) the peer is held by its window from now on; what
        // it pushes anyway is buffered by libp2p only up to its read-buffer limit, which then resets the stream.
        try {
          this.stream.pause()
        } catch {
          // already closing
        }
        void this.sendErrorAndClose('protocol-error', (err as Error).message)
      }
      this.wake?.()
    })
    if (onPeerActivity != null) stream.addEventListener('drain', onPeerActivity)
    stream.addEventListener('close', (evt) => {
      this.fail(evt.error != null ? new StreamClosedError(undefined, { cause: evt.error }) : new StreamClosedError())
      this.stopped.abort(this.failure)
      this.wake?.()
    })
    stream.addEventListener('remoteCloseWrite', () => {
      this.fail(new StreamClosedError('The peer closed the transfer stream'))
      this.wake?.()
    })
  }

  private fail (err: Error): void {
    this.failure ??= err
  }

  /** Queues a decoded frame of `bytes` wire bytes, enforcing the quiet rule. @throws {ProtocolError} */
  private enqueue (frame: Frame, bytes: number): void {
    if (this.quiet && ++this.framesSeen > 1) {
      // Between the offer and our answer the sender may only give up (`error`), once.
      if (frame.kind !== 'control' || frame.message.type !== 'error' || this.stopped.signal.aborted) {
        throw new ProtocolError(`The sender sent ${frame.kind === 'data' ? 'data' : `a ${frame.message.type} message`} before its offer was answered`)
      }
      this.stopped.abort(new RemoteError(frame.message.code, frame.message.message, { reason: frame.message.reason, peerMessage: frame.message.message }))
    }
    if (frame.kind === 'data') {
      this.queuedDataBytes += frame.bytes.byteLength
    } else {
      this.queuedControlFrames++
      this.queuedControlBytes += bytes
      this.controlSizes.push(bytes)
    }
    this.queue.push(frame)
  }

  /** Takes the head of the queue, updating the counters. */
  private dequeue (): Frame | undefined {
    const frame = this.queue.shift()
    if (frame?.kind === 'data') {
      this.queuedDataBytes -= frame.bytes.byteLength
    } else if (frame != null) {
      this.queuedControlFrames--
      this.queuedControlBytes -= this.controlSizes.shift() ?? 0
    }
    return frame
  }

  /**
   * Ends the quiet period of `quietAfterFirst`: call it right before sending `accept`; from then on the peer may send
   * anything the protocol allows.
   */
  endQuiet (): void {
    this.quiet = false
  }

  /**
   * The next frame from the peer.
   *
   * @param options.timeoutMs - give up after this long without a frame (default `STALL_TIMEOUT_MS`, 30 s)
   * @throws {ProtocolError} when the peer sent a malformed or invalid frame
   * @throws {StreamClosedError} when the stream ended first
   * @throws {TransferError} code `timeout` when nothing arrived in time
   * @throws {AbortedError} when `signal` aborts
   */
  async next (options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<Frame> {
    // Checked on every call, not only while waiting: a busy receiver always has frames queued.
    throwIfAborted(options.signal)
    while (true) {
      const frame = this.dequeue()
      if (frame != null) return frame
      if (this.failure != null) throw this.failure
      await this.waitForInput(options.signal, options.timeoutMs ?? STALL_TIMEOUT_MS)
    }
  }

  /** Like {@link next}, but the frame must be a control message; a data frame is a protocol error. */
  async nextControl (options: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<ControlMessage> {
    const frame = await this.next(options)
    if (frame.kind !== 'control') throw new ProtocolError('Data arrived where a control message was expected')
    return frame.message
  }

  private async waitForInput (signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
    if (signal?.aborted === true) throw new AbortedError()
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const timer = setTimeout(() => reject(new TransferError('timeout', `The peer sent nothing for ${Math.round(timeoutMs / 1000)} s`)), timeoutMs)
    const onAbort = (): void => reject(new AbortedError())
    signal?.addEventListener('abort', onAbort, { once: true })
    this.wake = resolve
    const started = Date.now()
    try {
      await promise
    } finally {
      this.waitedMs += Date.now() - started
      this.wake = undefined
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /**
   * Takes the data frames at the head of the queue, up to `maxBytes` bytes in total, without waiting: what arrived
   * while the previous frame was being written. Stops at the first control frame, and after `maxFrames` frames (a
   * peer sending tiny frames cannot make one call hold an unbounded list).
   */
  takeQueuedData (maxBytes: number, maxFrames: number): Uint8Array[] {
    const taken: Uint8Array[] = []
    let bytes = 0
    for (let head = this.queue[0]; head?.kind === 'data' && taken.length < maxFrames && bytes + head.bytes.byteLength <= maxBytes; head = this.queue[0]) {
      this.dequeue()
      bytes += head.bytes.byteLength
      taken.push(head.bytes)
    }
    return taken
  }

  /** Sends a control message, waiting for the stream to drain first if its buffer is full. */
  async sendControl (message: ControlMessage, signal?: AbortSignal): Promise<void> {
    await this.write(encodeControl(message), signal)
  }

  /** Sends file bytes as one data frame (≤ 256 KiB), waiting for the stream to drain first if its buffer is full. */
  async sendData (bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    await this.write(encodeData(bytes), signal)
  }

  /**
   * @throws {AbortedError} when `signal` aborts while waiting for the buffer to drain
   * @throws {StreamClosedError} when the stream closed or was reset under us (libp2p throws its own `StreamStateError`
   *   from `send()` on a closing stream, and rejects `onDrain()` with its `StreamClosedError`/`StreamResetError`): the
   *   transfer is interrupted, not failed, so its partial file is kept and the sender retries
   */
  private async write (frame: Parameters<Stream['send']>[0], signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal)
    try {
      if (this.stream.writableNeedsDrain) await this.stream.onDrain({ signal })
      this.stream.send(frame)
    } catch (err) {
      if (signal?.aborted === true) throw new AbortedError()
      if (this.stream.status !== 'open' || this.stream.writeStatus !== 'writable') throw new StreamClosedError(undefined, { cause: err })
      throw err
    }
  }

  /**
   * Tells the peer why the transfer ends (an `error` message, with `options.reason` when a file operation failed),
   * then ends the stream like {@link finish} (within `options.timeoutMs`, default 10 s). Never throws: the stream may
   * already be gone.
   */
  async sendErrorAndClose (code: string, message: string, options: { reason?: FailureReason, timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000
    if (this.closingWithError) return
    this.closingWithError = true
    if (this.stream.status === 'open' && this.stream.writeStatus === 'writable') {
      // The message queues behind data already sent (up to the flow-control window): give it time to drain, so the
      // peer learns why (cancelled, paused, …) instead of seeing a reset.
      try {
        this.stream.send(encodeControl({ type: 'error', code, message: message.slice(0, 1000), ...(options.reason == null ? {} : { reason: options.reason }) }))
      } catch {
        // the stream went away meanwhile
      }
    }
    await this.finish(new StreamClosedError(message), timeoutMs)
  }

  /**
   * Ends the stream after a final message: closes the writable end (what was sent is delivered, in order), waits up to
   * `timeoutMs` for the peer to close its end too, and only then resets it — so the final message is never overtaken
   * by a reset, and a peer that never closes cannot hold one of the connection's stream slots.
   */
  async finish (reason: Error, timeoutMs = 10_000): Promise<void> {
    const deadline = AbortSignal.timeout(timeoutMs)
    try {
      if (this.stream.writeStatus === 'writable') await this.stream.close({ signal: deadline })
      if (this.stream.status !== 'closed' && this.stream.status !== 'aborted' && this.stream.status !== 'reset') {
        const { promise, resolve } = Promise.withResolvers<void>()
        this.stream.addEventListener('close', () => resolve(), { once: true })
        deadline.addEventListener('abort', () => resolve(), { once: true })
        await promise
      }
    } catch {
      // timed out or already gone
    }
    this.abort(reason)
  }

  /** Closes the writable end gracefully (everything sent is delivered), waiting at most `timeoutMs`. */
  async close (timeoutMs = 10_000): Promise<void> {
    await this.stream.close({ signal: AbortSignal.timeout(timeoutMs) })
  }

  /** Ends the stream at once, discarding unsent data. */
  abort (err: Error): void {
    if (this.stream.status === 'open' || this.stream.status === 'closing') this.stream.abort(err)
  }
}
