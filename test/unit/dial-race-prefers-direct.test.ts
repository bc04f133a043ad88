/**
 * Invariant: the dial race (race.ts) takes a direct connection at once; a connection through a server waits the
 * grace period and gives way to a direct one that arrives within it; a later leg starts at its delay while earlier
 * legs keep running, and at once when every earlier leg failed; no leg starts once a connection is in hand; every
 * losing connection — and one that arrives after the race ended — is closed; when every leg fails the race says so
 * with each leg's error; an abort ends it and closes what it held. Stand-in connections (the lab's matrix test,
 * test/netlab/nat-matrix.test.ts, runs the race over real NATs).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Connection } from '@libp2p/interface'
import { AbortedError } from '../../src-main/core/errors/index.ts'
import { raceLegs, RaceFailedError } from '../../src-main/core/node/race.ts'
import type { Leg } from '../../src-main/core/node/race.ts'

interface Stub { conn: Connection, closed: () => boolean, rank: number, name: string }

function stub (name: string, rank: number): Stub {
  let closed = false
  const conn = { name, close: async () => { closed = true } } as unknown as Connection
  return { conn, closed: () => closed, rank, name }
}

const rankOf = (stubs: Stub[]) => (conn: Connection): number => stubs.find(s => s.conn === conn)?.rank ?? 99

/** A leg that connects (or fails) `afterMs` after it starts, and records when it started. */
function leg (name: string, delayMs: number, afterMs: number, result: Stub | Error, starts: Map<string, number>, t0: number): Leg {
  return {
    name,
    delayMs,
    dial: async (signal) => {
      starts.set(name, Date.now() - t0)
      await sleep(afterMs, undefined, { signal })
      if (result instanceof Error) throw result
      return result.conn
    }
  }
}

describe('dial race', () => {
  it('a direct connection wins at once, and the legs not yet started never start', async () => {
    const direct = stub('direct', 0)
    const starts = new Map<string, number>()
    const t0 = Date.now()
    const won = await raceLegs([
      leg('webrtc', 0, 20, direct, starts, t0),
      leg('webrtc+turn', 200, 10, stub('turn', 1), starts, t0)
    ], { rank: rankOf([direct]), graceMs: 250 })
    assert.equal(won, direct.conn)
    assert.ok(Date.now() - t0 < 240, 'no grace period (250 ms) for a direct connection')
    await sleep(250)
    assert.deepEqual([...starts.keys()], ['webrtc'])
  })

  it('a relayed connection gives way to a direct one that arrives within the grace period; the loser is closed', async () => {
    const direct = stub('direct', 0)
    const turn = stub('turn', 1)
    const starts = new Map<string, number>()
    const t0 = Date.now()
    const won = await raceLegs([
      leg('webrtc', 0, 150, direct, starts, t0),
      leg('webrtc+turn', 20, 50, turn, starts, t0)
    ], { rank: rankOf([direct, turn]), graceMs: 250 })
    assert.equal(won, direct.conn)
    assert.equal(turn.closed(), true, 'the TURN connection that lost is closed')
    assert.equal(direct.closed(), false)
  })

  it('a relayed connection wins after the grace period when no direct one comes; one that comes later is closed', async () => {
    const late = stub('direct', 0)
    const circuit = stub('circuit', 2)
    const starts = new Map<string, number>()
    const t0 = Date.now()
    // a leg that does not heed its abort signal and connects after the race ended
    const deaf: Leg = { name: 'webrtc', delayMs: 0, dial: async () => { await sleep(300); return late.conn } }
    const won = await raceLegs([
      deaf,
      leg('relayed-data', 30, 10, circuit, starts, t0)
    ], { rank: rankOf([late, circuit]), graceMs: 100 })
    const tookMs = Date.now() - t0
    assert.equal(won, circuit.conn)
    assert.ok(tookMs >= 130 && tookMs < 300, `waited the grace period: ${tookMs} ms`)
    await sleep(300)
    assert.equal(late.closed(), true, 'a connection that arrives after the race ended is closed')
    assert.equal(circuit.closed(), false)
  })

  it('a later leg starts at its delay while the earlier one keeps running, and at once when every earlier leg failed', async () => {
    const starts = new Map<string, number>()
    const t0 = Date.now()
    const circuit = stub('circuit', 2)
    const won = await raceLegs([
      leg('webrtc', 0, 150, new Error('ice timed out'), starts, t0),
      leg('webrtc+turn', 30, 60, new Error('ice timed out'), starts, t0),
      leg('relayed-data', 5_000, 10, circuit, starts, t0)
    ], { rank: rankOf([circuit]), graceMs: 250 })
    assert.equal(won, circuit.conn)
    const turnAt = starts.get('webrtc+turn') ?? -1
    const circuitAt = starts.get('relayed-data') ?? -1
    assert.ok(turnAt >= 25 && turnAt < 150, `the TURN leg started at its delay, before the first failed: ${turnAt} ms`)
    assert.ok(circuitAt >= 145 && circuitAt < 1_000, `the circuit started once both failed, not at its 5 s delay: ${circuitAt} ms`)
  })

  it('when every leg fails the race reports each leg\'s error', async () => {
    const starts = new Map<string, number>()
    const t0 = Date.now()
    const err = await raceLegs([
      leg('webrtc', 0, 5, new Error('one'), starts, t0),
      leg('relayed-data', 10, 5, new Error('two'), starts, t0)
    ], { rank: () => 0, graceMs: 250 }).then(() => undefined, (e: unknown) => e)
    assert.ok(err instanceof RaceFailedError)
    assert.deepEqual(err.errors.map(e => [e.leg, (e.error as Error).message]), [['webrtc', 'one'], ['relayed-data', 'two']])
  })

  it('an abort ends the race with AbortedError and closes the connection it held', async () => {
    const turn = stub('turn', 1)
    const starts = new Map<string, number>()
    const t0 = Date.now()
    const controller = new AbortController()
    const racing = raceLegs([
      leg('webrtc', 0, 1_000, stub('direct', 0), starts, t0),
      leg('webrtc+turn', 0, 10, turn, starts, t0)
    ], { rank: rankOf([turn]), graceMs: 500, signal: controller.signal })
    await sleep(50)
    controller.abort()
    await assert.rejects(racing, AbortedError)
    assert.equal(turn.closed(), true)
  })
})
