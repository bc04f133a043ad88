/**
 * Invariant: an offer from a trusted contact is accepted with no `offer` event (nobody is asked; a `notice` says why)
 * and completes; with the `contactsOnly` setting on, an offer from a peer that is not a contact is refused unseen —
 * no `offer` event, no transfer view — and ends `declined` on the sender's side. Blocking a contact closes the connections to it at
 * once, and sending to a blocked contact is refused (`blocked`) before anything is dialled.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { dispatch } from '../../src-main/api/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, record, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

describe('app: who is asked about an offer', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp
  let mallory: TestApp
  let file: string

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-policy-'))
    ;[alice, bob, mallory] = await Promise.all([startTestApp(net, 'alice'), startTestApp(net, 'bob'), startTestApp(net, 'mallory')])
    file = join(net.root, 'note.txt')
    await writeFile(file, 'hello\n')
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop(), mallory?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('a trusted contact\'s offer is accepted without an offer event', async () => {
    const invite = (await alice.handlers.getSnapshot({}, signal)).identity.invite
    await bob.handlers.addContact({ invite }, signal)
    const peer = await bob.handlers.updateContact({ peerId: alice.peer.peerId, trusted: true }, signal)
    assert.equal(peer.trusted, true)
    const offers = record(bob, 'offer')
    const notice = nextEvent(bob, 'notice', n => n.code === 'auto-accepted')
    const received = nextEvent(bob, 'transfer', t => t.state === 'completed')
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: file, relativePath: 'note.txt' }] }, signal)
    assert.equal((await received).id, transferId)
    assert.match((await notice).message, /alice is a trusted contact/)
    assert.equal(offers.seen.length, 0)
    offers.off()
  })

  it('with contactsOnly, a stranger\'s offer is refused unseen', async () => {
    const settings = await bob.handlers.updateSettings({ contactsOnly: true }, signal)
    assert.equal(settings.contactsOnly, true)
    const offers = record(bob, 'offer')
    const shown = record(bob, 'transfer')
    const ended = nextEvent(mallory, 'transfer', t => ['declined', 'failed', 'completed'].includes(t.state))
    const { transferId } = await mallory.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: file, relativePath: 'note.txt' }] }, signal)
    const view = await ended
    assert.equal(view.id, transferId)
    assert.equal(view.state, 'declined')
    assert.match(view.error?.message ?? '', /declined the files: This device accepts files only from its contacts/)
    assert.equal(offers.seen.length, 0)
    assert.deepEqual(shown.seen.filter(t => t.id === transferId), [], 'a refused stranger gets no transfer view')
    offers.off()
    shown.off()
  })

  it('blocking a contact closes its connections and refuses sending to it', async () => {
    const alicePeerId = peerIdFromString(alice.peer.peerId)
    assert.ok(bob.peer.node.getConnections(alicePeerId).length > 0, 'connected after the transfer')
    const view = await bob.handlers.updateContact({ peerId: alice.peer.peerId, blocked: true }, signal)
    assert.equal(view.blocked, true)
    assert.equal(bob.peer.node.getConnections(alicePeerId).filter(c => c.status === 'open').length, 0)
    const reply = await dispatch(bob.handlers, 'sendLocalFiles', { peerId: alice.peer.peerId, files: [{ path: file, relativePath: 'note.txt' }] }, signal)
    assert.equal(reply.ok ? 'ok' : reply.error.code, 'blocked')
  })
})
