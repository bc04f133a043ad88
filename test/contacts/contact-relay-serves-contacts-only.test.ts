/**
 * Invariants of contacts as relays (docs/CONNECTIVITY.md §9, "Contacts and your own devices as relays"), with three
 * real peers on loopback — Carol relays for her contacts, Alice and Bob are contacts of each other and of Carol, and
 * use no configured relay:
 * - Bob and Alice learn from identify that Carol relays, and record where (SQLite `contacts.relay_addrs`); Bob keeps a
 *   reservation on her, and every reservation she holds is a contact's;
 * - `findRoute` from Alice to Bob goes through Carol (`contact-relay`), and a file sent on that route arrives intact
 *   over WebRTC (Carol carried the handshake only: WebRTC works on loopback);
 * - a stranger can neither reserve on Carol nor be relayed through her to Bob; and when Carol removes Alice from her
 *   contacts, Alice's next relayed connection through Carol is refused — without a restart.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { circuitAddr, contactRelaysOf, findRoute } from '../../src-main/core/contacts/index.ts'
import { RelayReservations } from '../../src-main/core/node/index.ts'
import { startPeer } from '../../src-main/core/peer/index.ts'
import type { Peer } from '../../src-main/core/peer/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { fileSha256, TEST_TIMEOUTS } from '../helpers/peers.ts'

async function until (what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(50)
  }
}

describe('contacts as relays', () => {
  let dir: string
  let carol: Peer
  let alice: Peer
  let bob: Peer
  let stranger: Peer
  let carolAddr: string

  before(async () => {
    dir = await tempDir('ferry-contact-relay-')
    const base = { relays: [], iceServers: [], timeouts: TEST_TIMEOUTS, listen: ['/ip4/127.0.0.1/tcp/0'], decide: async () => ({ accept: true }) }
    carol = await startPeer({ ...base, dataDir: join(dir, 'carol'), downloadDir: join(dir, 'carol-out'), relayForContacts: true })
    alice = await startPeer({ ...base, dataDir: join(dir, 'alice'), downloadDir: join(dir, 'alice-out') })
    bob = await startPeer({ ...base, dataDir: join(dir, 'bob'), downloadDir: join(dir, 'bob-out') })
    stranger = await startPeer({ ...base, dataDir: join(dir, 'stranger'), downloadDir: join(dir, 'stranger-out') })
    const [addr] = await carol.reachableAddrs()
    assert.ok(addr != null)
    carolAddr = addr.includes('/p2p/') ? addr : `${addr}/p2p/${carol.peerId}`
    carol.store.contacts.upsert({ peerId: alice.peerId, name: 'Alice' })
    carol.store.contacts.upsert({ peerId: bob.peerId, name: 'Bob' })
    alice.store.contacts.upsert({ peerId: bob.peerId, name: 'Bob' })
    alice.store.contacts.upsert({ peerId: carol.peerId, name: 'Carol' })
    bob.store.contacts.upsert({ peerId: alice.peerId, name: 'Alice' })
    bob.store.contacts.upsert({ peerId: carol.peerId, name: 'Carol' })
  })
  after(async () => {
    for (const p of [stranger, bob, alice, carol]) await p?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('contacts learn from identify that Carol relays, record where, and Bob reserves on her', async () => {
    // What presence does when it finds a contact: a connection, and identify on it.
    await bob.node.dial(multiaddr(carolAddr))
    await alice.node.dial(multiaddr(carolAddr))
    await until('both recorded Carol as a relay', () => bob.store.contacts.get(carol.peerId)?.relayAddrs != null && alice.store.contacts.get(carol.peerId)?.relayAddrs != null)
    assert.ok(bob.store.contacts.get(carol.peerId)?.relayAddrs?.includes(carolAddr), JSON.stringify(bob.store.contacts.get(carol.peerId)))
    await until('Bob holds a reservation on Carol', () => bob.contactRelays.list().some(r => r.peerId === carol.peerId && r.state === 'reserved'))
    // Alice is Carol's contact too and may reserve on her as well; what matters is that Bob holds one and every holder
    // is one of Carol's contacts.
    const holders = [...(carol.node.services.relay?.reservations.keys() ?? [])].map(id => id.toString())
    assert.ok(holders.includes(bob.peerId), `Bob holds a reservation on Carol: ${JSON.stringify(holders)}`)
    const carolsContacts = new Set(carol.store.contacts.list().map(c => c.peerId))
    assert.ok(holders.every(id => carolsContacts.has(id)), `only Carol's contacts hold reservations on her: ${JSON.stringify(holders)}`)
  })

  it('Alice reaches Bob through Carol, and the file arrives intact', async () => {
    const file = join(dir, 'photo.bin')
    await writeFile(file, Buffer.alloc(256 * 1024, 7))
    const route = await findRoute(alice.node, { peerId: bob.peerId, contact: alice.store.contacts.get(bob.peerId), relays: [], contactRelays: contactRelaysOf(alice.store, bob.peerId) })
    assert.equal(route.via, 'contact-relay')
    assert.equal(route.relay?.name, 'Carol')
    assert.ok(route.addr.toString().startsWith(`${carolAddr}/p2p-circuit/webrtc/`), route.addr.toString())
    const result = await alice.transfers.send(route.addr, [file])
    assert.equal(result.totalBytes, 256 * 1024)
    assert.equal(result.connection.transport, 'webrtc', 'WebRTC works here: the bytes do not go through Carol')
    assert.equal(await fileSha256(join(dir, 'bob-out', 'photo.bin')), await fileSha256(file))
  })

  it('a stranger can neither reserve on Carol nor be relayed through her', async () => {
    const reservations = new RelayReservations(stranger.node, [carolAddr])
    reservations.start()
    try {
      await until('the stranger\'s reservation is refused', () => reservations.current[0]?.problem === 'refused')
      assert.equal((reservations.current[0]?.error as { reason?: string } | undefined)?.reason, 'permission-denied')
    } finally {
      reservations.stop()
    }
    await assert.rejects(stranger.node.dial(multiaddr(circuitAddr(carolAddr, bob.peerId))), 'a stranger is not relayed to a contact')
    assert.equal(carol.node.services.relay?.reservations.has(stranger.node.peerId), false)
  })

  it('when Carol removes Alice, Alice is no longer relayed through her (no restart)', async () => {
    await alice.node.hangUp(multiaddr(`/p2p/${bob.peerId}`)).catch(() => {})
    await alice.node.dial(multiaddr(circuitAddr(carolAddr, bob.peerId)))
    await alice.node.hangUp(multiaddr(`/p2p/${bob.peerId}`)).catch(() => {})
    carol.store.contacts.remove(alice.peerId)
    await assert.rejects(alice.node.dial(multiaddr(circuitAddr(carolAddr, bob.peerId))), 'a former contact is refused at once')
  })
})
