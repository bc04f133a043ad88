/**
 * Invariant: a contact's presence follows reality within the bound the presence tracker defines — a contact that
 * stops is shown offline within `misses × interval + check timeout`, showing when it was last seen; one that starts
 * again is shown online within one interval plus a check once it is reachable — and it is found again through the
 * relay its invite named (its direct address changed with the restart). The measured times are printed.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { circuitAddr, PresenceTracker, relaysOf } from '../../src-main/core/contacts/index.ts'
import type { PresenceState } from '../../src-main/core/contacts/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const INTERVAL_MS = 500
const MISSES = 2
const CHECK_TIMEOUT_MS = 500
/** Timer and event-loop slack on a loaded 2-core machine. */
const SLACK_MS = 1_500
const OFFLINE_BOUND_MS = MISSES * INTERVAL_MS + CHECK_TIMEOUT_MS
const ONLINE_BOUND_MS = INTERVAL_MS + CHECK_TIMEOUT_MS

describe('presence', () => {
  let dir: string
  let network: TestNetwork
  let alice: TestPeer
  let tracker: PresenceTracker
  const changes: Array<PresenceState & { at: number }> = []

  before(async () => {
    dir = await tempDir('ferry-presence-')
    network = await TestNetwork.start(dir)
    alice = await network.peer('alice', { listen: ['/ip4/127.0.0.1/tcp/0'] })
  })
  after(async () => {
    await tracker?.stop()
    await network?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  /** Resolves with the time of the first change of `peerId` to `online` at or after `since`. */
  async function changeTo (peerId: string, online: boolean, since: number, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const hit = changes.find(c => c.peerId === peerId && c.online === online && c.at >= since)
      if (hit != null) return hit.at
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    throw new Error(`no change to ${online ? 'online' : 'offline'} within ${timeoutMs} ms: ${JSON.stringify(changes)}`)
  }

  it('online while running; offline within the bound after it stops (with last seen); online again after it restarts', async (t) => {
    let bob = await network.peer('bob', { listen: ['/ip4/127.0.0.1/tcp/0'] })
    alice.store.contacts.upsert({ peerId: bob.peerId, name: 'Bob', addrs: [circuitAddr(network.relayAddr, bob.peerId)] })
    tracker = new PresenceTracker({ node: alice.node, store: alice.store, intervalMs: INTERVAL_MS, misses: MISSES, checkTimeoutMs: CHECK_TIMEOUT_MS })
    tracker.on('change', s => changes.push({ ...s, at: Date.now() }))
    const startedAt = Date.now()
    tracker.start()
    const firstOnline = await changeTo(bob.peerId, true, startedAt)
    t.diagnostic(`first seen online ${firstOnline - startedAt} ms after the tracker started`)
    assert.equal(tracker.get(bob.peerId)?.online, true)
    const seen = alice.store.contacts.get(bob.peerId)
    assert.ok(seen?.lastSeenAt != null && seen.lastSeenAt >= startedAt, 'being seen is recorded in the store')
    assert.deepEqual(relaysOf(seen), [network.relayAddr], 'the invite\'s relay is kept')

    const stoppedAt = Date.now()
    await network.stopPeer(bob)
    const offlineAt = await changeTo(bob.peerId, false, stoppedAt)
    const offlineMs = offlineAt - stoppedAt
    t.diagnostic(`offline ${offlineMs} ms after the peer stopped (bound ${OFFLINE_BOUND_MS} ms)`)
    assert.ok(offlineMs <= OFFLINE_BOUND_MS + SLACK_MS, `offline after ${offlineMs} ms`)
    const offline = tracker.get(bob.peerId)
    assert.equal(offline?.online, false)
    assert.ok(offline?.lastSeenAt != null && offline.lastSeenAt <= offlineAt, 'an offline contact shows when it was last seen')
    // It stays offline while stopped (no flicker back to online).
    await new Promise(resolve => setTimeout(resolve, 3 * INTERVAL_MS))
    assert.equal(tracker.get(bob.peerId)?.online, false)

    const restartAt = Date.now()
    bob = await network.peer('bob', { listen: ['/ip4/127.0.0.1/tcp/0'] })
    const reachableAt = Date.now() // its relay reservation is made: from here it can be reached
    const onlineAt = await changeTo(bob.peerId, true, restartAt)
    const onlineMs = onlineAt - reachableAt
    t.diagnostic(`online ${onlineAt - restartAt} ms after the restart began, ${onlineMs} ms after it was reachable (bound ${ONLINE_BOUND_MS} ms)`)
    assert.ok(onlineMs <= ONLINE_BOUND_MS + SLACK_MS, `online ${onlineMs} ms after it was reachable`)
    assert.equal(tracker.get(bob.peerId)?.online, true)
  })
})
