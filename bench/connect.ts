/**
 * Connecting through the relay: how long a dial to a running `ferry receive` takes until the direct WebRTC
 * connection is up (relay connection, circuit, SDP offer/answer, ICE, DTLS, SCTP, Noise), over many dials.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ferry } from '../test/helpers/cli.ts'
import { stopFerry } from './ferry-runs.ts'
import { Worker } from './proc.ts'

/** Result of the connect measurement; times in ms. */
export interface ConnectResult {
  dials: number
  p50Ms: number
  p95Ms: number
  maxMs: number
  /** Dials that failed even after Ferry's retries. */
  failed: number
  /** Dials that needed at least one retry (an attempt failed, the next one succeeded). */
  retried: number
  /** Every successful dial's time, ms, in order. */
  timesMs: number[]
  errors: string[]
}

/** Pause between two dials, ms: keeps the receiver under its inbound rate limit (5 connections/s per host). */
const GAP_MS = 250

/** The `p`-th percentile (0–100) of `values`, nearest-rank. */
export function percentile (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))] as number
}

/** Runs `dials` dials from a fresh dialer node each to one `ferry receive` process, through `relayAddr`. */
export async function measureConnect (relayAddr: string, dials: number, workDir: string): Promise<ConnectResult> {
  const receiver = ferry(['receive', '--data-dir', join(workDir, 'connect-recv'), '--out', join(workDir, 'connect-out'), '--yes', '--relay', relayAddr, '--ice-servers', 'none'])
  const dialer = new Worker('dialer', [relayAddr])
  try {
    const ready = await receiver.waitFor('ready', 30_000)
    const addr = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    if (addr == null) throw new Error(`the receiver lists no relay-assisted WebRTC address: ${JSON.stringify(ready.addrs)}`)
    await dialer.next('ready', 30_000)
    const times: number[] = []
    const errors: string[] = []
    let retried = 0
    for (let i = 0; i < dials; i++) {
      dialer.send({ type: 'dial', addr })
      const r = await dialer.next('dialed', 60_000)
      if (Number(r.retries) > 0) retried++
      if (r.ok === true) times.push(Number(r.ms))
      else errors.push(String(r.error ?? `connected over ${String(r.transport)}`))
      await sleep(GAP_MS)
    }
    return { dials, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), maxMs: Math.max(...times), failed: errors.length, retried, timesMs: times.map(t => Math.round(t)), errors }
  } finally {
    await dialer.stop()
    await stopFerry(receiver)
  }
}
