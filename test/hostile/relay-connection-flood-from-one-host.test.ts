/**
 * Attack: one host opens as many libp2p connections (TCP, Noise, Yamux) to a `ferry relay` as it lets it, and holds
 * them, to use up the relay's {@link MAX_RELAY_CONNECTIONS} connections. Invariants: one source address holds at most
 * {@link MAX_CONNECTIONS_PER_SOURCE} connections (the rest are refused before their handshake), and a fresh
 * `ferry receive` from another address reserves during the flood.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { MAX_CONNECTIONS_PER_SOURCE, MAX_RELAY_CONNECTIONS } from '../../src-main/core/relay/index.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { attackerSource, holdConnections, honestReceive } from './relay-attackers.ts'

/** How long the attacker opens connections, ms: at the relay's 20 per second per host, about 300 connections. */
const FLOOD_MS = Number(process.env.FERRY_FLOOD_MS ?? 15_000)

describe('hostile peers: a connection flood from one host against a relay', () => {
  const dirs: string[] = []
  after(async () => {
    await stopAll()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it(`one host holds at most ${MAX_CONNECTIONS_PER_SOURCE} connections and a fresh ferry receive reserves during its flood`, async () => {
    const dir = await tempDir('ferry-relay-conns-')
    dirs.push(dir)
    const { addr } = await startRelay(join(dir, 'relay'))
    const attacker = await holdConnections(addr, { count: MAX_RELAY_CONNECTIONS + 76, source: attackerSource(0), forMs: FLOOD_MS })
    try {
      const held = attacker.open()
      const { event, ms } = await honestReceive(addr, join(dir, 'honest'))
      console.log(`# one host held ${held} connections after ${FLOOD_MS} ms; the honest receiver: ${event.event} ${String(event.code ?? '')} after ${ms} ms`)
      assert.equal(event.event, 'ready', `the honest receiver got ${JSON.stringify(event)}`)
      assert.equal(event.relayStatus, 'reserved', `the honest receiver got ${JSON.stringify(event)}`)
      assert.ok(held <= MAX_CONNECTIONS_PER_SOURCE, `one host held ${held} connections, more than ${MAX_CONNECTIONS_PER_SOURCE}`)
    } finally {
      await attacker.stop()
    }
  })

  it('a host whose connections closed gets its share again (the per-source count is released)', async () => {
    const dir = await tempDir('ferry-relay-conns-')
    dirs.push(dir)
    const { addr } = await startRelay(join(dir, 'relay'))
    const held: number[] = []
    for (let round = 0; round < 3; round++) {
      const attacker = await holdConnections(addr, { count: MAX_CONNECTIONS_PER_SOURCE, source: attackerSource(1), forMs: 10_000 })
      held.push(attacker.open())
      await attacker.stop()
      // The relay notices the closes within milliseconds on loopback.
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    console.log(`# connections held from one host, round after round: ${held.join(', ')}`)
    assert.deepEqual(held, [MAX_CONNECTIONS_PER_SOURCE, MAX_CONNECTIONS_PER_SOURCE, MAX_CONNECTIONS_PER_SOURCE])
  })
})
