/**
 * Invariant: an offer from a trusted contact is accepted without asking, and the receiver says it was auto-accepted
 * because the contact is trusted; an offer from anyone else reaches the person (a prompt) — and from a peer that is
 * not a contact only within a rate limit, beyond which it is answered `busy` unseen. `send --to <contact name>`
 * reaches the contact through the relay its invite named.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { trustPolicy } from '../../src-main/core/contacts/index.ts'
import type { IncomingOffer } from '../../src-main/core/index.ts'
import { startPeer } from '../../src-main/core/peer/index.ts'
import type { Peer } from '../../src-main/core/peer/index.ts'
import { ferry, relayForSuite } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TEST_TIMEOUTS } from '../helpers/peers.ts'

describe('trust: trusted contacts are auto-accepted, everyone else is asked (CLI)', () => {
  const suite = relayForSuite('ferry-trust-')

  before(async () => {
    await writeFile(join(suite.dir, 'note.txt'), 'hello from a contact\n')
    await writeFile(join(suite.dir, 'other.txt'), 'hello from a stranger\n')
  })

  async function ok (args: string[]): Promise<Array<Record<string, unknown>>> {
    const p = ferry(args)
    assert.equal(await p.exitCode(), 0, `ferry ${args.join(' ')}: ${p.stderr}`)
    return p.events
  }

  it('the trusted contact\'s offer is accepted unasked; a stranger\'s offer waits for the person\'s answer', async () => {
    const rxDir = join(suite.dir, 'rx')
    const friendDir = join(suite.dir, 'friend')
    const strangerDir = join(suite.dir, 'stranger')
    const [friendInvite] = await ok(['invite', '--data-dir', friendDir, '--name', 'Friend'])
    await ok(['contacts', 'add', friendInvite?.invite as string, '--trusted', '--data-dir', rxDir])
    const [rxInvite] = await ok(['invite', '--data-dir', rxDir, '--name', 'Receiver', '--relay', suite.relayAddr])
    await ok(['contacts', 'add', rxInvite?.invite as string, '--data-dir', friendDir])

    const receiver = ferry(['receive', '--relay', suite.relayAddr, '--data-dir', rxDir, '--out', join(suite.dir, 'out')])
    const ready = await receiver.waitFor('ready')

    // The friend sends by the receiver's contact name: no address given, the invite's relay is used.
    const friend = ferry(['send', '--to', 'receiver', '--data-dir', friendDir, join(suite.dir, 'note.txt')])
    const route = await friend.waitFor('route')
    assert.equal(route.via, 'relay')
    assert.equal(route.addr, `${suite.relayAddr}/p2p-circuit/webrtc/p2p/${ready.peerId as string}`)
    assert.equal(await friend.exitCode(60_000), 0, friend.stderr)
    const autoOffer = await receiver.waitFor('offer', 30_000, e => e.peerId === friendInvite?.peerId)
    assert.equal(autoOffer.autoAccepted, true)
    assert.equal(autoOffer.because, 'trusted-contact')
    assert.equal(autoOffer.contact, 'Friend')
    await receiver.waitFor('complete', 30_000, e => e.peerId === friendInvite?.peerId)
    assert.equal(await readFile(join(suite.dir, 'out', 'note.txt'), 'utf8'), 'hello from a contact\n')

    // A stranger (not a contact) is asked about; nothing arrives until the person answers.
    const strangerTo = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(strangerTo)
    // The stranger's identity is made (by `invite`) before its `send` starts: run at the same time, both could create
    // a key in the empty data folder, and the offer would come from a peer ID the test does not expect.
    const [strangerInvite] = await ok(['invite', '--data-dir', strangerDir])
    const stranger = ferry(['send', '--relay', suite.relayAddr, '--to', strangerTo, '--data-dir', strangerDir, join(suite.dir, 'other.txt')])
    const asked = await receiver.waitFor('offer', 30_000, e => e.peerId === strangerInvite?.peerId)
    assert.equal(asked.autoAccepted, undefined, 'a stranger\'s offer is not auto-accepted')
    await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(receiver.events.some(e => e.event === 'complete' && e.peerId === strangerInvite?.peerId), false, 'nothing is received before the answer')
    receiver.child.stdin?.write('y\n')
    assert.equal(await stranger.exitCode(60_000), 0, stranger.stderr)
    assert.equal(await readFile(join(suite.dir, 'out', 'other.txt'), 'utf8'), 'hello from a stranger\n')
    await receiver.stop()
  })
})

describe('trust policy: rate limit for peers that are not contacts (core)', () => {
  let dir: string
  let rx: Peer
  let txs: Peer[] = []
  const asked: IncomingOffer[] = []
  const autoAccepted: string[] = []
  const rateLimited: string[] = []
  let decide: ReturnType<typeof trustPolicy>

  before(async () => {
    dir = await tempDir('ferry-trust-core-')
    await writeFile(join(dir, 'f.txt'), 'x')
    const base = { relays: [], iceServers: [], timeouts: TEST_TIMEOUTS }
    rx = await startPeer({
      ...base,
      dataDir: join(dir, 'rx'),
      downloadDir: join(dir, 'rx-out'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      decide: async (offer, signal) => decide(offer, signal)
    })
    decide = trustPolicy({
      store: rx.store,
      ask: async (offer) => { asked.push(offer); return { accept: false, reason: 'no thanks' } },
      onAutoAccepted: (offer) => autoAccepted.push(offer.peerId),
      onRateLimited: (offer) => rateLimited.push(offer.peerId),
      limits: { perPeer: 2, total: 3, windowMs: 60_000 }
    })
    for (const name of ['trusted', 'known', 'stranger1', 'stranger2']) {
      txs.push(await startPeer({ ...base, dataDir: join(dir, name), downloadDir: join(dir, `${name}-out`), acceptIncoming: false }))
    }
  })
  after(async () => {
    for (const p of [...txs, rx]) await p?.stop()
    txs = []
    await rm(dir, { recursive: true, force: true })
  })

  async function offerFrom (tx: Peer): Promise<string> {
    const [addr] = await rx.reachableAddrs()
    assert.ok(addr)
    return tx.transfers.send(multiaddr(addr), [join(dir, 'f.txt')]).then(() => 'accepted', (err: { code?: string }) => err.code ?? 'error')
  }

  it('trusted → accepted unasked; contact → asked; stranger → asked within the limit, then busy unseen', async () => {
    const [trusted, known, stranger1, stranger2] = txs as [Peer, Peer, Peer, Peer]
    rx.store.contacts.upsert({ peerId: trusted.peerId, name: 'T', trusted: true })
    rx.store.contacts.upsert({ peerId: known.peerId, name: 'K' })

    assert.equal(await offerFrom(trusted), 'accepted')
    assert.deepEqual(autoAccepted, [trusted.peerId])
    assert.equal(asked.length, 0, 'the trusted contact\'s offer was not shown to the person')

    for (let i = 0; i < 4; i++) assert.equal(await offerFrom(known), 'declined', 'a contact is never rate-limited')
    assert.equal(asked.length, 4)

    assert.equal(await offerFrom(stranger1), 'declined')
    assert.equal(await offerFrom(stranger1), 'declined')
    assert.equal(await offerFrom(stranger1), 'busy', 'the third offer within the window is refused unseen (per peer)')
    assert.equal(await offerFrom(stranger2), 'declined')
    assert.equal(await offerFrom(stranger2), 'busy', 'all strangers together are limited too')
    assert.equal(asked.length, 7)
    assert.deepEqual(rateLimited, [stranger1.peerId, stranger2.peerId])
  })

  it('a trusted contact\'s offer that does not fit as a whole is put to the person, who can choose files that fit', async () => {
    const [trusted] = txs as [Peer]
    const before = { asked: asked.length, auto: autoAccepted.length }
    const offer: IncomingOffer = {
      transferId: 'does-not-fit', peerId: trusted.peerId, files: [{ path: 'a.bin', size: 10 }, { path: 'b.bin', size: 90 }], totalBytes: 100,
      connection: { transport: 'webrtc', remoteAddr: '/ip4/127.0.0.1/udp/1/webrtc', limited: false, relayed: false }, freeBytes: 50
    }
    assert.deepEqual(await decide(offer, new AbortController().signal), { accept: false, reason: 'no thanks' })
    assert.equal(asked.length, before.asked + 1, 'the person was asked')
    assert.equal(autoAccepted.length, before.auto, 'not accepted unasked')
  })
})
