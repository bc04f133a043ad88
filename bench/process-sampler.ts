/**
 * Peak resident memory and CPU time of a process, sampled from `/proc/<pid>/status` and `/proc/<pid>/stat` (Linux).
 * `VmHWM` is the kernel's own high-water mark of the resident set, so polling it misses nothing that happened
 * between two samples (`VmRSS` is used if it is missing). CPU time (user + system, all threads) is as of the last
 * sample, so it may miss the last ≤ 100 ms of a process's life.
 */
import { readFileSync } from 'node:fs'

/** Sampling interval, ms. */
const SAMPLE_MS = 100
/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 on Linux/x86-64 and arm64). */
const CLOCK_TICKS = 100

function readKiB (status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return m?.[1] == null ? undefined : Number(m[1])
}

/** Samples one process until {@link ProcessSampler.stop} or the process exits. */
export class ProcessSampler {
  private readonly pid: number
  private readonly timer: NodeJS.Timeout
  private peakKiB = 0
  private userTicks = 0
  private systemTicks = 0

  constructor (pid: number) {
    this.pid = pid
    this.timer = setInterval(() => this.sample(), SAMPLE_MS)
    this.sample()
  }

  private sample (): void {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8')
      this.peakKiB = Math.max(this.peakKiB, readKiB(status, 'VmHWM') ?? readKiB(status, 'VmRSS') ?? 0)
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      this.userTicks = Math.max(this.userTicks, Number(fields[11]))
      this.systemTicks = Math.max(this.systemTicks, Number(fields[12]))
    } catch {
      // the process has exited (or this is not Linux): keep the last values
    }
  }

  /** Peak RSS so far, in MB (10^6 bytes). */
  get peakMB (): number {
    return this.peakKiB * 1024 / 1e6
  }

  /** CPU time so far (user + system), in seconds. */
  get cpuSeconds (): number {
    return (this.userTicks + this.systemTicks) / CLOCK_TICKS
  }

  /** CPU time so far in the kernel (system), in seconds: file writes, sockets, page faults. */
  get systemSeconds (): number {
    return this.systemTicks / CLOCK_TICKS
  }

  /** Takes a last sample (if the process still runs) and stops sampling. */
  stop (): this {
    this.sample()
    clearInterval(this.timer)
    return this
  }
}
