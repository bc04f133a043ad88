import { throwIfAborted } from '../errors/index.ts'
import { ProtocolError, RemoteError, TransferError } from '../protocol/index.ts'
import type { Complete, ControlMessage, Nack } from '../protocol/index.ts'
import type { FrameChannel } from './channel.ts'

/**
 * What the receiver tells a sender while it sends — acks, nacks, the final `complete`, or an error — read from the
 * channel in the background. The sender waits on it for window space or completion.
 */
export class ReceiverFeedback {
  acked = 0
  complete: Complete | undefined
  /** A block the receiver found corrupt; the sender goes back to it. */
  nack: Nack | undefined
  failure: Error | undefined
  private wake: (() => void) | undefined
  private readonly sent: () => number

  /** @param sent - the data bytes sent so far (an ack for more is a protocol error) */
  constructor (channel: FrameChannel, sent: () => number) {
    this.sent = sent
    void this.read(channel)
  }

  private async read (channel: FrameChannel): Promise<void> {
    try {
      while (true) {
        const msg: ControlMessage = await channel.nextControl({ timeoutMs: 24 * 60 * 60_000 })
        if (msg.type === 'ack') {
          if (msg.bytes > this.sent()) throw new ProtocolError('The receiver acknowledged bytes that were never sent')
          this.acked = Math.max(this.acked, msg.bytes)
        } else if (msg.type === 'nack') {
          this.nack ??= msg
        } else if (msg.type === 'complete') {
          this.complete = msg
          this.notify()
          return
        } else if (msg.type === 'error') {
          throw new RemoteError(msg.code, `The receiver stopped the transfer: ${msg.message}`, { reason: msg.reason, peerMessage: msg.message })
        } else {
          throw new ProtocolError(`Unexpected ${msg.type} message from the receiver`)
        }
        this.notify()
      }
    } catch (err) {
      this.failure ??= err as Error
      this.notify()
    }
  }

  private notify (): void {
    this.wake?.()
  }

  /** Takes the pending nack, if any. */
  takeNack (): Nack | undefined {
    const nack = this.nack
    this.nack = undefined
    return nack
  }

  /**
   * Resolves once `ready()` holds, or a nack arrived; throws the receiver's error, or a timeout after `stallMs`
   * without news from it.
   */
  async until (ready: () => boolean, stallMs: number, signal?: AbortSignal): Promise<void> {
    while (!ready() && this.nack == null) {
      if (this.failure != null) throw this.failure
      throwIfAborted(signal)
      const { promise, resolve } = Promise.withResolvers<boolean>()
      this.wake = () => resolve(false)
      const timer = setTimeout(() => resolve(true), stallMs)
      const onAbort = (): void => resolve(false)
      signal?.addEventListener('abort', onAbort, { once: true })
      const timedOut = await promise
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      this.wake = undefined
      if (timedOut) throw new TransferError('timeout', `The receiver acknowledged nothing for ${Math.round(stallMs / 1000)} s`)
    }
    if (this.failure != null && this.complete == null) throw this.failure
  }
}
