/**
 * Transfer speed over a sliding window, for progress displays: `bytesPerSecond` over the last `windowMs`
 * (default 3000 ms) and the estimated time left — both unknown (0, undefined) until the samples span `minSpanMs`
 * (default 1000 ms), so the first estimate is never made from a few milliseconds of data.
 */
export class SpeedMeter {
  private readonly samples: Array<{ at: number, bytes: number }> = []
  private readonly windowMs: number
  private readonly minSpanMs: number

  constructor (windowMs = 3000, minSpanMs = 1000) {
    this.windowMs = windowMs
    this.minSpanMs = minSpanMs
  }

  /** Whether any sample was recorded. */
  get started (): boolean {
    return this.samples.length > 0
  }

  /** Records that `totalBytes` (cumulative) were reached at time `at` (ms). */
  record (totalBytes: number, at = Date.now()): void {
    this.samples.push({ at, bytes: totalBytes })
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < at - this.windowMs) this.samples.shift()
  }

  /** Bytes per second over the window; 0 until the samples span `minSpanMs`. */
  get bytesPerSecond (): number {
    const first = this.samples[0]
    const last = this.samples.at(-1)
    if (first == null || last == null || last.at - first.at < this.minSpanMs) return 0
    return (last.bytes - first.bytes) / ((last.at - first.at) / 1000)
  }

  /** Estimated ms until `totalBytes` are reached at the current speed; undefined while the speed is unknown. */
  etaMs (totalBytes: number): number | undefined {
    const speed = this.bytesPerSecond
    const last = this.samples.at(-1)
    if (speed <= 0 || last == null) return undefined
    return Math.max(0, ((totalBytes - last.bytes) / speed) * 1000)
  }
}
