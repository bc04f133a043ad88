/**
 * Attack: a peer that is not a contact gets one transfer accepted, interrupts it, and resumes it after the receiver
 * switched on "only contacts may send". Invariant: a resumed offer passes the receiver's current policy — it is not
 * asked about again, but refused (`reject` `declined`) when the policy now refuses the peer; nothing more is written,
 * and the earlier attempt stays recorded as it was (interrupted, resumable should the policy allow it again).
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { nextEvent, record, startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'

/** Large enough that the sender is still sending when it is closed after its first progress event. */
const FILE_BYTES = 64 * 1024 * 1024

describe('hostile peer: a stranger resumes after "only contacts" was switched on', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let mallory: TestApp
  let bob: TestApp
  let source: string

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-resume-policy-'))
    ;[mallory, bob] = await Promise.all([startTestApp(net, 'mallory'), startTestApp(net, 'bob')])
    bob.on('offer', o => { void bob.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal) })
    await mkdir(join(net.root, 'src'))
    source = join(net.root, 'src', 'big.bin')
    await randomFile(source, FILE_BYTES)
  })
  after(async () => {
    await Promise.all([mallory?.stop(), bob?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('the resume is refused declined and nothing more is received', async () => {
    const sending = nextEvent(mallory, 'transfer', t => t.state === 'transferring' && t.transferredBytes > 0)
    const interrupted = nextEvent(bob, 'transfer', t => !['offered', 'accepted', 'transferring'].includes(t.state))
    const { transferId } = await mallory.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: source, relativePath: 'big.bin' }] }, signal)
    assert.ok((await sending).transferredBytes < FILE_BYTES, 'still sending when closed')
    await mallory.stop()
    assert.equal((await interrupted).state, 'interrupted')
    const before = bob.peer.store.transfers.get(transferId)

    await bob.handlers.updateSettings({ contactsOnly: true }, signal)
    mallory = await startTestApp(net, 'mallory')
    assert.equal((await mallory.handlers.getTransfer({ transferId }, signal)).canResume, true)
    const onBob = record(bob, 'transfer')
    const ended = nextEvent(mallory, 'transfer', t => t.id === transferId && !['connecting', 'offered', 'accepted', 'transferring'].includes(t.state), 60_000)
    await mallory.handlers.resumeTransfer({ transferId }, signal)
    const view = await ended
    assert.equal(view.state, 'declined', JSON.stringify(view))
    assert.match(view.error?.message ?? '', /only from its contacts/)
    await new Promise(resolve => setTimeout(resolve, 500))
    onBob.off()
    assert.deepEqual(onBob.seen.filter(t => t.id === transferId).map(t => t.state), [], 'bob shows nothing of the refused resume')
    const after = bob.peer.store.transfers.get(transferId)
    assert.deepEqual([after?.state, after?.transferredBytes], [before?.state, before?.transferredBytes], 'the earlier attempt is recorded as it was')
    assert.ok(!(await readdir(bob.downloadDir)).includes('big.bin'), 'no file was completed')
  })
})
