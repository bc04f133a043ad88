/**
 * Upload speed limits: a token bucket the sender's write path waits on before each data frame
 * (docs/SETTINGS.md `uploadLimit`, `ferry send --limit-rate`). A send may wait on several buckets at once — its own
 * (a limit per transfer) and the service's shared one (a limit of all sends together) — and takes from each in turn.
 *
 * The bucket is kept as a "theoretical arrival time" (the generic cell rate algorithm, ITU-T I.371): each take books
 * its bytes at the limit's rate after those booked before it, and waits until its booking is less than
 * {@link RATE_BURST_MS} ahead of now. Concurrent sends are thus served in the order they asked, each at its share of
 * the rate. The wait happens before the frame is handed to the stream, so the stream's own backpressure (drain) and
 * the protocol's window (docs/PROTOCOL.md §6) still apply after it; a limit only ever slows a send down.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { AbortedError } from '../errors/index.ts'

/**
 * Bytes a bucket lets through at once after it was idle, as the time they take at its rate, in ms: small enough that
 * it adds under 3 % to a 4 s measurement at the limit, large enough to let a 64 KiB data frame through without a
 * timer at any limit of 1 MiB/s and up.
 */
export const RATE_BURST_MS = 100

/** A limit a send waits on before each data frame. */
export interface Throttle {
  /**
   * Resolves once `bytes` more may be sent.
   * @throws {AbortedError} when `signal` aborts while waiting
   */
  take: (bytes: number, signal?: AbortSignal) => Promise<void>
}

/** A token bucket of `bytesPerSecond` (see the module); no limit while the rate is undefined. */
export class RateLimiter implements Throttle {
  private rate: number | undefined
  /** When the bytes booked so far will have passed at the rate (ms, `performance.now()` clock). */
  private bookedUntil = 0

  /** @param bytesPerSecond - the limit in bytes per second; undefined or 0 for none */
  constructor (bytesPerSecond?: number) {
    this.setRate(bytesPerSecond)
  }

  /** The limit, bytes per second; undefined when there is none. */
  get bytesPerSecond (): number | undefined {
    return this.rate
  }

  /** Changes the limit (bytes per second; undefined or 0 removes it); sends already waiting keep their booking. */
  setRate (bytesPerSecond: number | undefined): void {
    this.rate = bytesPerSecond != null && bytesPerSecond > 0 ? bytesPerSecond : undefined
  }

  async take (bytes: number, signal?: AbortSignal): Promise<void> {
    const rate = this.rate
    if (rate == null) return
    const now = performance.now()
    this.bookedUntil = Math.max(this.bookedUntil, now) + (bytes / rate) * 1000
    const waitMs = this.bookedUntil - RATE_BURST_MS - now
    if (waitMs <= 0) return
    try {
      await sleep(waitMs, undefined, { signal })
    } catch {
      throw new AbortedError()
    }
  }
}

/** One throttle that waits on each of `throttles` in turn (none given: no limit). */
export function allOf (throttles: ReadonlyArray<Throttle | undefined>): Throttle | undefined {
  const list = throttles.filter((t): t is Throttle => t != null)
  if (list.length === 0) return undefined
  if (list.length === 1) return list[0]
  return {
    take: async (bytes, signal) => {
      for (const t of list) await t.take(bytes, signal)
    }
  }
}
