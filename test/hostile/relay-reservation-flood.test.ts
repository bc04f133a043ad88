/**
 * Attack: a flood of circuit-relay reservations on a `ferry relay`. 270 new identities reserve a slot and disconnect
 * (the relay has {@link MAX_RESERVATIONS} slots, each held for its 2 h TTL unless freed), or enough of
 * them stay connected to hold every slot. Invariants: a departed peer's slot is free again at once, so a fresh
 * `ferry receive` reserves during the flood; a receiver the relay does refuse is told so in words (`relay-refused`),
 * never `internal`.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { MAX_RESERVATIONS, MAX_RESERVATIONS_PER_SOURCE } from '../../src-main/core/relay/index.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { attackerSource, holdReservations, honestReceive, reserveAndLeave } from './relay-attackers.ts'

describe('hostile peers: a reservation flood against a relay', () => {
  const dirs: string[] = []
  after(async () => {
    await stopAll()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('a fresh ferry receive reserves on the relay after 270 identities reserved and disconnected', async () => {
    const dir = await tempDir('ferry-relay-flood-')
    dirs.push(dir)
    const { addr } = await startRelay(join(dir, 'relay'))
    // 20 source addresses, 14 identities each: below any per-source limit, so only the total count matters.
    const sources = Array.from({ length: 20 }, (_v, i) => attackerSource(i))
    const flood = await reserveAndLeave(addr, { identities: 270, sources, concurrency: 8 })
    const { event, ms } = await honestReceive(addr, join(dir, 'honest'))
    console.log(`# 270 identities: ${flood.reserved} reserved, ${flood.refused} refused; the honest receiver: ${event.event} ${String(event.code ?? '')} after ${ms} ms`)
    assert.equal(event.event, 'ready', `the honest receiver got ${JSON.stringify(event)}`)
    assert.equal(event.relayStatus, 'reserved', `the honest receiver got ${JSON.stringify(event)}`)
    // Every identity was granted a slot: each one that left freed its own before the next ones came.
    assert.equal(flood.reserved, 270, `reserved ${flood.reserved}, refused ${flood.refused}`)
  })

  it('a receiver refused by a full relay is told so in words (relay-refused), never internal', async () => {
    const dir = await tempDir('ferry-relay-full-')
    dirs.push(dir)
    const { addr } = await startRelay(join(dir, 'relay'))
    // Connected peers holding every slot, from enough sources that the per-source limit does not stop them.
    const sources = Array.from({ length: Math.ceil(MAX_RESERVATIONS / MAX_RESERVATIONS_PER_SOURCE) + 1 }, (_v, i) => attackerSource(i))
    const held = await holdReservations(addr, { identities: MAX_RESERVATIONS, sources, concurrency: 8 })
    try {
      assert.equal(held.reserved, MAX_RESERVATIONS)
      const { event } = await honestReceive(addr, join(dir, 'honest'))
      // It starts (nearby devices can still reach it) and says why the relay does not serve it.
      assert.equal(event.event, 'ready', `the honest receiver got ${JSON.stringify(event)}`)
      assert.notEqual(event.relayStatus, 'reserved')
      const error = event.relayError as { code: string, reason: string, message: string }
      assert.equal(error.code, 'relay-refused')
      assert.equal(error.reason, 'reservation-refused')
      assert.match(error.message, /refused/i)
      assert.doesNotMatch(error.message, /Error:|at .*\.js|NO_FATAL|transportManager/, 'a message for a person, not a stack')
      console.log(`# full relay: ${error.code}: ${error.message}`)
    } finally {
      await held.stop()
    }
  })

  it(`one source address holds at most ${MAX_RESERVATIONS_PER_SOURCE} reservations; a receiver from another reserves, one from the same is told why`, async () => {
    const dir = await tempDir('ferry-relay-per-source-')
    dirs.push(dir)
    const { addr } = await startRelay(join(dir, 'relay'))
    const flood = await holdReservations(addr, { identities: 40, sources: [attackerSource(0)], concurrency: 8 })
    // Peers sharing the honest receiver's address (127.0.0.1) and holding that address's whole share.
    let neighbours: Awaited<ReturnType<typeof holdReservations>> | undefined
    try {
      const other = await honestReceive(addr, join(dir, 'other-source'))
      neighbours = await holdReservations(addr, { identities: MAX_RESERVATIONS_PER_SOURCE, sources: ['127.0.0.1'], concurrency: 8 })
      const same = await honestReceive(addr, join(dir, 'same-source'))
      const sameError = same.event.relayError as { code: string, reason: string, message: string } | undefined
      console.log(`# 40 identities from one source: ${flood.reserved} reserved, ${flood.refused} refused; a receiver from another source: ${other.event.event} ${String(other.event.relayStatus)}; from a full source: ${String(sameError?.code)} (${String(sameError?.reason)})`)
      assert.equal(flood.reserved, MAX_RESERVATIONS_PER_SOURCE, `one source reserved ${flood.reserved} slots`)
      assert.equal(other.event.event, 'ready', `the receiver from another source got ${JSON.stringify(other.event)}`)
      assert.equal(other.event.relayStatus, 'reserved', `the receiver from another source got ${JSON.stringify(other.event)}`)
      assert.equal(same.event.event, 'ready')
      assert.notEqual(same.event.relayStatus, 'reserved')
      assert.equal(sameError?.code, 'relay-refused')
      assert.equal(sameError?.reason, 'permission-denied')
      assert.match(String(sameError?.message), /network address/)
    } finally {
      await neighbours?.stop()
      await flood.stop()
    }
  })
})
