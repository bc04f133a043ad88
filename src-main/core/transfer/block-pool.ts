/**
 * Reusable read buffers for the sender's blocks. Every block the sender reads would otherwise be a new 1 MiB buffer
 * (1,024 per GiB), and that churn of external memory drives much of the sender's garbage collection
 * (docs/PERFORMANCE.md, "Sender block buffers"). A buffer may be reused only once the receiver acknowledged every byte
 * sent from it: acknowledged bytes were consumed by the receiver, so the stream (encryption, DataChannel, socket) is
 * done with them.
 */
export class BlockPool {
  private readonly size: number
  /** Buffers in use, each with the stream's sent-byte count after its last byte was sent. */
  private readonly inFlight: Array<{ buf: Buffer, releaseAt: number }> = []
  private readonly free: Buffer[] = []

  /** @param size - bytes of each buffer (the block size) */
  constructor (size: number) {
    this.size = size
  }

  /**
   * A buffer of `size` bytes whose earlier contents are no longer needed, given that the receiver acknowledged
   * `acked` bytes of the stream; a new one when none is free.
   */
  take (acked: number): Buffer {
    for (let i = 0; i < this.inFlight.length;) {
      const entry = this.inFlight[i] as { buf: Buffer, releaseAt: number }
      if (entry.releaseAt <= acked) {
        this.free.push(entry.buf)
        this.inFlight.splice(i, 1)
      } else {
        i++
      }
    }
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size)
  }

  /** Marks `buf` (from {@link take}) as in use until the receiver acknowledged `releaseAt` bytes of the stream. */
  hold (buf: Buffer, releaseAt: number): void {
    this.inFlight.push({ buf, releaseAt })
  }
}
