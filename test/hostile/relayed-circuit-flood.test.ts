/**
 * Attack: strangers fill the receiver's connections through its own relay — 99 bare libp2p nodes with fresh
 * identities each open a relayed connection (`<relay>/p2p-circuit/p2p/<receiver>`, circuit relay v2) to the receiver,
 * which needs nothing but the address the receiver prints, and hold it (dialling again whenever it closes). Every
 * relayed connection reaches the receiver from its relay's IP address, so the flood also spends the per-host inbound
 * threshold that a contact's own relayed connection needs.
 *
 * Invariant: a trusted contact's 10 MiB send during the flood completes within max(2×, +5 s) of its unattacked time.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ConnectionFlood, lockoutBound, startScene } from './lockout-scene.ts'
import type { LockoutScene } from './lockout-scene.ts'

/** Attacker nodes (the outside tester's 99). */
const ATTACKERS = 99
/** Source addresses they reach the relay from (3 each). */
const SOURCES = 33
/**
 * Pause before an attacker dials again, ms: short, so the attackers keep the threshold they share with the contact
 * (5 per second at the relay's IP) spent and fill the connection limit in about 20 s.
 */
const REDIAL_MS = 1_000
/**
 * How long the attackers get to fill the limit before the contact sends, ms: until they hold 99, or at most 45 s, or
 * from 20 s on as soon as they have not gained a connection for 5 s.
 */
const FILL_MS = 45_000
const SETTLE_AFTER_MS = 20_000

describe('hostile strangers: a flood of relayed connections through the receiver\'s own relay', () => {
  let scene: LockoutScene
  let flood: ConnectionFlood | undefined

  before(async () => { scene = await startScene('ferry-circuit-flood-') })
  after(async () => {
    await flood?.stop()
    await scene?.stop()
  })

  it('a trusted contact still sends within twice its unattacked time while 99 strangers open relayed connections to it', async (t) => {
    const unattacked = await scene.send(60_000)
    assert.ok(unattacked.ok, `the unattacked send failed: ${unattacked.stderr}`)
    const bound = lockoutBound(unattacked.ms)

    const circuit = `${scene.relayAddr}/p2p-circuit/p2p/${scene.victimPeerId}`
    flood = await ConnectionFlood.start(ATTACKERS, SOURCES, circuit, scene.victimPeerId, { redialMs: REDIAL_MS })
    const held = await flood.waitForOpen(ATTACKERS, FILL_MS, SETTLE_AFTER_MS)
    const attacked = await scene.send(bound)
    t.diagnostic(`unattacked ${unattacked.ms} ms; bound ${bound} ms; attacked ${attacked.ms} ms (${attacked.ok ? 'completed' : `failed: exit ${attacked.exit}`}); ` +
      `relayed connections held before the send ${held}, after it ${flood.open}; opened ${flood.opened}, refused ${flood.refused}`)
    assert.ok(attacked.ok, `the contact's send failed during the flood (exit ${attacked.exit}, ${attacked.ms} ms): ${attacked.stderr}`)
    assert.ok(attacked.ms <= bound, `the contact's send took ${attacked.ms} ms, over ${bound} ms`)
  })
})
