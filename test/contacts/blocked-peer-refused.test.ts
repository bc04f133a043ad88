/**
 * Invariant: a blocked contact is refused by the connection gater before any protocol runs — its connection never
 * opens on the blocking side (no identify, no transfer stream, no offer shown), in either direction — and the same
 * peer gets through once unblocked (so the refusal is the block, not something else).
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { startPeer } from '../../src-main/core/peer/index.ts'
import type { Peer } from '../../src-main/core/peer/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TEST_TIMEOUTS } from '../helpers/peers.ts'

describe('blocked peers', () => {
  let dir: string
  let rx: Peer
  let mallory: Peer
  const seenByRx: string[] = []
  let offers = 0

  before(async () => {
    dir = await tempDir('ferry-blocked-')
    await writeFile(join(dir, 'f.txt'), 'payload')
    const base = { relays: [], iceServers: [], timeouts: TEST_TIMEOUTS, listen: ['/ip4/127.0.0.1/tcp/0'] }
    rx = await startPeer({ ...base, dataDir: join(dir, 'rx'), downloadDir: join(dir, 'rx-out'), decide: async () => { offers++; return { accept: true } } })
    mallory = await startPeer({ ...base, dataDir: join(dir, 'mallory'), downloadDir: join(dir, 'mallory-out'), decide: async () => ({ accept: true }) })
    for (const name of ['connection:open', 'peer:connect', 'peer:identify'] as const) {
      rx.node.addEventListener(name, (evt) => {
        const detail = evt.detail as unknown as { remotePeer?: unknown, peerId?: unknown }
        seenByRx.push(`${name} ${String(detail.remotePeer ?? detail.peerId ?? detail)}`)
      })
    }
  })
  after(async () => {
    await mallory?.stop()
    await rx?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('a blocked peer\'s dial is refused before any protocol runs, and the blocking side does not dial it', async () => {
    rx.store.contacts.upsert({ peerId: mallory.peerId, name: 'Mallory', blocked: true })
    const [rxAddr] = await rx.reachableAddrs()
    const [malloryAddr] = await mallory.reachableAddrs()
    assert.ok(rxAddr != null && malloryAddr != null)

    // Mallory's side may see its half of the handshake finish (optimistic protocol selection) and then the socket
    // close; either way its send fails, and the receiving side never had a connection.
    await assert.rejects(mallory.transfers.send(multiaddr(rxAddr), [join(dir, 'f.txt')]))
    assert.deepEqual(seenByRx.filter(s => s.includes(mallory.peerId)), [], 'no connection opened, no identify ran on the blocking side')
    assert.equal(rx.node.getConnections().filter(c => c.remotePeer.toString() === mallory.peerId).length, 0)
    assert.equal(offers, 0, 'no offer reached the decision')
    assert.equal(rx.store.transfers.list().length, 0, 'nothing was recorded')

    await assert.rejects(rx.node.dial(multiaddr(malloryAddr)), 'the blocking side refuses to dial the blocked peer too')
    assert.equal(mallory.node.getConnections().filter(c => c.remotePeer.toString() === rx.peerId).length, 0)
  })

  it('once unblocked, the same peer connects and its offer is decided', async () => {
    rx.store.contacts.setBlocked(mallory.peerId, false)
    const [rxAddr] = await rx.reachableAddrs()
    assert.ok(rxAddr != null)
    const result = await mallory.transfers.send(multiaddr(rxAddr), [join(dir, 'f.txt')])
    assert.equal(result.connection.transport, 'tcp')
    assert.equal(offers, 1)
    assert.ok(seenByRx.some(s => s.startsWith('connection:open') && s.includes(mallory.peerId)))
  })
})
