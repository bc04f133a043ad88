/**
 * Attack: strangers fill the receiver's connection limit with idle connections — 99 bare libp2p nodes with fresh
 * identities each open a TCP connection to the receiver's direct address and do nothing with it (dialling again
 * whenever it is closed). Without a policy, the receiver refuses every new connection once it holds `maxConnections`,
 * and a contact's send fails with `peer-unreachable` until the attacker stops.
 *
 * Invariant: a trusted contact's 10 MiB send during the flood completes within max(2×, +5 s) of its unattacked time —
 * idle strangers' connections are closed to make room; contacts are never among them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ConnectionFlood, lockoutBound, startScene } from './lockout-scene.ts'
import type { LockoutScene } from './lockout-scene.ts'

/** Attacker nodes (the outside tester's 99: the limit of 100 minus the victim's connection to its relay). */
const ATTACKERS = 99
/** Source addresses they spread over (5 nodes each: one second of libp2p's per-host inbound threshold). */
const SOURCES = 20

describe('hostile strangers: a flood of idle connections', () => {
  let scene: LockoutScene
  let flood: ConnectionFlood | undefined

  before(async () => { scene = await startScene('ferry-idle-flood-') })
  after(async () => {
    await flood?.stop()
    await scene?.stop()
  })

  it('a trusted contact still sends within twice its unattacked time while 99 idle strangers are connected', async (t) => {
    const unattacked = await scene.send(60_000)
    assert.ok(unattacked.ok, `the unattacked send failed: ${unattacked.stderr}`)
    const bound = lockoutBound(unattacked.ms)

    flood = await ConnectionFlood.start(ATTACKERS, SOURCES, scene.victimTcp, scene.victimPeerId)
    const held = await flood.waitForOpen(ATTACKERS, 25_000)
    const attacked = await scene.send(bound)
    const heldDuring = flood.open
    t.diagnostic(`unattacked ${unattacked.ms} ms; bound ${bound} ms; attacked ${attacked.ms} ms (${attacked.ok ? 'completed' : `failed: exit ${attacked.exit}`}); ` +
      `attacker connections held before the send ${held}, after it ${heldDuring}; opened ${flood.opened}, refused ${flood.refused}`)
    assert.ok(attacked.ok, `the contact's send failed during the flood (exit ${attacked.exit}, ${attacked.ms} ms): ${attacked.stderr}`)
    assert.ok(attacked.ms <= bound, `the contact's send took ${attacked.ms} ms, over ${bound} ms`)
  })
})
