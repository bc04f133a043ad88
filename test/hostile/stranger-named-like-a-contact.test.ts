/**
 * Attack: a peer that is not a contact calls itself "Alice", the name of one of the receiver's contacts, so that its
 * offers pass for hers in Transfers and History. Invariants: with "only contacts may send" on, its refused offer
 * leaves no trace — no offer, no transfer event, no history row; with it off, every view that shows its
 * self-chosen name (the transfer while it runs and in History) says it is not a contact (`isContact: false`), as the
 * offer does, while the real Alice's transfers say `isContact: true`.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { nextEvent, record, startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'

describe('hostile peer: a stranger named like a contact', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp
  let mallory: TestApp
  let file: string

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-fake-alice-'))
    ;[alice, bob, mallory] = await Promise.all([
      startTestApp(net, 'alice', { displayName: 'Alice' }), startTestApp(net, 'bob'), startTestApp(net, 'mallory', { displayName: 'Alice' })
    ])
    const invite = (await alice.handlers.getSnapshot({}, signal)).identity.invite
    await bob.handlers.addContact({ invite }, signal)
    file = join(net.root, 'note.txt')
    await writeFile(file, 'hello\n')
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop(), mallory?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  async function send (from: TestApp): Promise<string> {
    const ended = nextEvent(from, 'transfer', t => ['declined', 'failed', 'completed', 'cancelled'].includes(t.state), 60_000)
    const { transferId } = await from.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: file, relativePath: 'note.txt' }] }, signal)
    const view = await ended
    assert.equal(view.id, transferId)
    return view.state
  }

  it('with only contacts allowed, its refused offer leaves no event and no history row', async () => {
    await bob.handlers.updateSettings({ contactsOnly: true }, signal)
    const transfers = record(bob, 'transfer')
    const offers = record(bob, 'offer')
    assert.equal(await send(mallory), 'declined')
    await new Promise(resolve => setTimeout(resolve, 500))
    transfers.off()
    offers.off()
    assert.deepEqual(transfers.seen.map(t => `${t.peerName}: ${t.state}`), [])
    assert.equal(offers.seen.length, 0)
    assert.deepEqual((await bob.handlers.listHistory({}, signal)).map(t => t.peerName), [])
    assert.equal(bob.peer.store.transfers.list().length, 0)
  })

  it('shown, its transfer and its history row are marked as not a contact; the real Alice\'s are not', async () => {
    await bob.handlers.updateSettings({ contactsOnly: false }, signal)
    const offerSeen = nextEvent(bob, 'offer')
    const transfers = record(bob, 'transfer')
    const answered = offerSeen.then(async o => bob.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal))
    assert.equal(await send(mallory), 'completed')
    const offer = await offerSeen
    await answered
    assert.deepEqual([offer.senderName, offer.isContact], ['Alice', false])
    // The real Alice is asked too (a contact, not trusted).
    const realOffer = nextEvent(bob, 'offer')
    void realOffer.then(async o => bob.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal))
    assert.equal(await send(alice), 'completed')
    transfers.off()
    const fake = transfers.seen.filter(t => t.peerId === mallory.peer.peerId)
    const real = transfers.seen.filter(t => t.peerId === alice.peer.peerId)
    assert.ok(fake.length > 0 && real.length > 0)
    assert.deepEqual([...new Set(fake.map(t => `${t.peerName} isContact=${String(t.isContact)}`))], ['Alice isContact=false'])
    assert.deepEqual([...new Set(real.map(t => `${t.peerName} isContact=${String(t.isContact)}`))], ['Alice isContact=true'])
    const history = await bob.handlers.listHistory({}, signal)
    assert.deepEqual(history.map(t => `${t.peerId === alice.peer.peerId ? 'real' : 'fake'} ${t.peerName} isContact=${String(t.isContact)}`).sort(),
      ['fake Alice isContact=false', 'real Alice isContact=true'])
  })
})
