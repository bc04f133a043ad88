import type { Connection } from '@libp2p/interface'
import { AbortedError } from '../errors/index.ts'
import { logger } from '../log/index.ts'

const log = logger('dial')

/** One way to reach a peer, raced against the others by {@link raceLegs}. */
export interface Leg {
  /** For logs: `webrtc`, `webrtc+turn`, `relayed-data`. */
  name: string
  /** When the leg starts, in ms after the race started (it starts at once when every started leg failed). */
  delayMs: number
  /** Dials; resolves with a connection that can carry file bytes, or rejects. Ends when `signal` aborts. */
  dial: (signal: AbortSignal) => Promise<Connection>
}

/** Options of {@link raceLegs}. */
export interface RaceOptions {
  signal?: AbortSignal
  /**
   * How good a connection is: lower wins (0 = direct). A connection of rank 0 wins at once; a higher one waits up to
   * `graceMs` for a leg still running to bring a better one.
   */
  rank: (conn: Connection) => number
  /** Time a relayed winner waits for a better connection, in ms. */
  graceMs: number
}

/** Every leg of a race failed: `errors` in the order of the legs (a leg that never started is absent). */
export class RaceFailedError extends Error {
  static override name = 'RaceFailedError'
  readonly errors: ReadonlyArray<{ leg: string, error: unknown }>
  constructor (errors: ReadonlyArray<{ leg: string, error: unknown }>) {
    super(`every way to connect failed: ${errors.map(e => `${e.leg}: ${(e.error as Error)?.message ?? String(e.error)}`).join('; ')}`)
    this.name = 'RaceFailedError'
    this.errors = errors
  }
}

/**
 * Runs `legs` the way RFC 8305 ("Happy Eyeballs Version 2") runs connection attempts: each starts after its delay
 * (or at once when every leg started so far has failed), the earlier ones keep running, and the best connection wins —
 * the first one of rank 0, else the best one that arrived before the grace period after the first connection ended.
 * Every other leg is aborted, and every connection it still brings is closed (a loser never carries bytes).
 *
 * @returns the winning connection
 * @throws {RaceFailedError} when every leg failed
 * @throws {AbortedError} when `options.signal` aborts (every leg is aborted and its connection closed)
 */
export async function raceLegs (legs: readonly Leg[], options: RaceOptions): Promise<Connection> {
  const started = Date.now()
  const controllers = legs.map(() => new AbortController())
  const errors: Array<{ leg: string, error: unknown } | undefined> = legs.map(() => undefined)
  let running = 0
  let next = 0
  let best: { conn: Connection, rank: number, leg: string } | undefined
  let done = false
  let graceTimer: NodeJS.Timeout | undefined
  let nextTimer: NodeJS.Timeout | undefined

  return await new Promise<Connection>((resolve, reject) => {
    const finish = (err?: unknown): void => {
      if (done) return
      done = true
      clearTimeout(graceTimer)
      clearTimeout(nextTimer)
      options.signal?.removeEventListener('abort', onAbort)
      for (const c of controllers) c.abort(new AbortedError('Another way to connect won'))
      if (err != null || best == null) {
        if (best != null) void best.conn.close().catch(() => {})
        reject(err ?? new RaceFailedError(errors.filter(e => e != null)))
        return
      }
      log('%s won after %d ms (rank %d)', best.leg, Date.now() - started, best.rank)
      resolve(best.conn)
    }
    const onAbort = (): void => { finish(new AbortedError('The dial was cancelled', { cause: options.signal?.reason })) }
    if (options.signal?.aborted === true) { onAbort(); return }
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const settleIfIdle = (): void => {
      if (done || running > 0) return
      if (next < legs.length) { startNext(); return }
      finish()
    }
    const startNext = (): void => {
      clearTimeout(nextTimer)
      // A connection in hand: no new leg starts (only those already running may still bring a better one).
      if (done || next >= legs.length || best != null) return
      const index = next++
      const leg = legs[index] as Leg
      running++
      log('starting %s after %d ms', leg.name, Date.now() - started)
      leg.dial((controllers[index] as AbortController).signal).then(conn => {
        running--
        if (done) { void conn.close().catch(() => {}); return }
        const rank = options.rank(conn)
        log('%s connected after %d ms (rank %d)', leg.name, Date.now() - started, rank)
        if (best == null || rank < best.rank) {
          if (best != null) void best.conn.close().catch(() => {})
          best = { conn, rank, leg: leg.name }
        } else {
          void conn.close().catch(() => {})
        }
        if (best.rank === 0 || running === 0) { finish(); return }
        graceTimer ??= setTimeout(() => { finish() }, options.graceMs)
      }, (error: unknown) => {
        running--
        errors[index] = { leg: leg.name, error }
        if (!done) log('%s failed after %d ms: %s', leg.name, Date.now() - started, (error as { code?: string, name?: string })?.code ?? (error as Error)?.name)
        if (best != null && running === 0) { finish(); return }
        settleIfIdle()
      })
      scheduleNext()
    }
    const scheduleNext = (): void => {
      const leg = legs[next]
      if (done || leg == null) return
      nextTimer = setTimeout(startNext, Math.max(0, started + leg.delayMs - Date.now()))
    }
    startNext()
  })
}
