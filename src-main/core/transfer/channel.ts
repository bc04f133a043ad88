import type { Stream } from '@libp2p/interface'
import { AbortedError, FerryError, throwIfAborted } from '../errors/index.ts'
import {
  encodeControl, encodeData, FrameDecoder, MAX_DATA_BYTES, ProtocolError, STALL_TIMEOUT_MS, TransferError, WINDOW_BYTES
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
const MAX_QUEUED_DATA_BYTES = WINDOW_BYTES + 4 * MAX_DATA_BYTES

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
  private failure: Error | undefined
  private wake: (() => void) | undefined
  /** Bytes of data frames waiting in the queue. */
  queuedDataBytes = 0
  private closingWithError = false
  private decodeFailed = false

  /**
   * @param onPeerActivity - called whenever bytes arrive from the peer (before they are decoded) and whenever the
   *   stream's send buffer drains (the transport only takes more once the peer acknowledged what it sent): the node's
   *   liveness monitor counts both as proof that the peer is alive (`notePeerActivity`)
   */
  constructor (stream: Stream, onPeerActivity?: () => void) {
    this.stream = stream
    stream.addEventListener('message', (evt) => {
      onPeerActivity?.()
      // After a malformed frame nothing more is read; after the peer's FIN, data it sent before still counts.
      if (this.decodeFailed) return
      try {
        for (const frame of this.decoder.push(evt.data)) {
          if (frame.kind === 'data') this.queuedDataBytes += frame.bytes.byteLength
          this.queue.push(frame)
        }
        if (this.queuedDataBytes > MAX_QUEUED_DATA_BYTES) throw new ProtocolError('The peer sent more data than the flow-control window allows')
      } catch (err) {
        this.decodeFailed = true
        this.fail(err as Error)
        this.queue.length = 0
        void this.sendErrorAndClose('protocol-error', (err as Error).message)
      }
      this.wake?.()
    })
    if (onPeerActivity != null) stream.addEventListener('drain', onPeerActivity)
    stream.addEventListener('close', (evt) => {
      this.fail(evt.error != null ? new StreamClosedError(undefined, { cause: evt.error }) : new StreamClosedError())
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
      const frame = this.queue.shift()
      if (frame != null) {
        if (frame.kind === 'data') this.queuedDataBytes -= frame.bytes.byteLength
        return frame
      }
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
    try {
      await promise
    } finally {
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
      this.queue.shift()
      this.queuedDataBytes -= head.bytes.byteLength
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
   * Tells the peer why the transfer ends (an `error` message), then ends the stream like {@link finish}. Never throws:
   * the stream may already be gone.
   */
  async sendErrorAndClose (code: string, message: string, timeoutMs = 10_000): Promise<void> {
    if (this.closingWithError) return
    this.closingWithError = true
    if (this.stream.status === 'open' && this.stream.writeStatus === 'writable') {
      // The message queues behind data already sent (up to the flow-control window): give it time to drain, so the
      // peer learns why (cancelled, paused, …) instead of seeing a reset.
      try {
        this.stream.send(encodeControl({ type: 'error', code, message: message.slice(0, 1000) }))
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
