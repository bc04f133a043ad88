/**
 * Attack: TCP sockets to a `ferry relay` that never start the libp2p handshake, held open (and reopened when the relay
 * closes them), to fill the relay's pending-handshake slots so no one else gets in. Invariants: one source address holds
 * at most {@link MAX_PENDING_PER_SOURCE} pending handshakes — the rest are closed at once — so a fresh `ferry receive`
 * from another address reserves while 128 such sockets are held; and the relay closes a silent socket after
 * {@link INBOUND_UPGRADE_TIMEOUT_MS}.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { INBOUND_UPGRADE_TIMEOUT_MS, MAX_PENDING_PER_SOURCE } from '../../src-main/core/relay/index.ts'
import { startRelay, stopAll } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { eventually } from './malicious-peer.ts'
import { attackerSource, honestReceive, hostAndPort, silentSockets } from './relay-attackers.ts'

describe('hostile peers: silent sockets against a relay', () => {
  const dirs: string[] = []
  after(async () => {
    await stopAll()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('a fresh ferry receive reserves while one host holds 128 silent sockets to the relay', async () => {
    const dir = await tempDir('ferry-relay-silent-')
    dirs.push(dir)
    const { addr } = await startRelay(join(dir, 'relay'))
    const { host, port } = hostAndPort(addr)
    const SOCKETS = 128
    const attacker = await silentSockets(host, port, { count: SOCKETS, sources: [attackerSource(0)], reopen: true })
    try {
      // The relay accepts 20 new connections a second from one host: 5 s lets the attacker reach its 128.
      await new Promise(resolve => setTimeout(resolve, 5_000))
      // Sockets open for a second or more are held by the relay; those it refuses are closed within milliseconds.
      const held = attacker.heldFor(1_000)
      const { event, ms } = await honestReceive(addr, join(dir, 'honest'))
      console.log(`# ${SOCKETS} silent sockets from one host: ${held} held open by the relay; the honest receiver: ${event.event} ${String(event.code ?? '')} after ${ms} ms`)
      assert.equal(event.event, 'ready', `the honest receiver got ${JSON.stringify(event)}`)
      assert.equal(event.relayStatus, 'reserved', `the honest receiver got ${JSON.stringify(event)}`)
      assert.ok(held <= MAX_PENDING_PER_SOURCE, `${held} silent sockets from one host held open, more than ${MAX_PENDING_PER_SOURCE}`)
    } finally {
      attacker.stop()
    }
  })

  it(`the relay closes a socket that never starts the handshake within ${INBOUND_UPGRADE_TIMEOUT_MS} ms (plus margin)`, async () => {
    const dir = await tempDir('ferry-relay-silent-')
    dirs.push(dir)
    const { addr } = await startRelay(join(dir, 'relay'))
    const { host, port } = hostAndPort(addr)
    const attacker = await silentSockets(host, port, { count: 4, sources: [attackerSource(1)] })
    try {
      await eventually(() => attacker.closedAfterMs.length === 4, 20_000).catch(() => {})
      const slowest = Math.max(...attacker.closedAfterMs, attacker.open() > 0 ? Infinity : 0)
      console.log(`# silent sockets closed by the relay after ${attacker.closedAfterMs.join(', ')} ms`)
      // 2.5 s of margin for a loaded machine; the library's default (10 s) is well beyond it.
      assert.ok(slowest <= INBOUND_UPGRADE_TIMEOUT_MS + 2_500, `a silent socket stayed open ${slowest} ms`)
      // Their pending slots were released: the same host gets its full share of pending handshakes again.
      const again = await silentSockets(host, port, { count: MAX_PENDING_PER_SOURCE, sources: [attackerSource(1)] })
      await new Promise(resolve => setTimeout(resolve, 1_000))
      const heldAgain = again.heldFor(900)
      again.stop()
      assert.equal(heldAgain, MAX_PENDING_PER_SOURCE)
    } finally {
      attacker.stop()
    }
  })
})
