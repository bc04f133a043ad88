/**
 * Invariant: closing the app (`stop()`) in the middle of a send loses nothing: both sides record the transfer
 * `interrupted` (paused) rather than cancelled, the sender's history offers to resume it after the next start, and
 * `resumeTransfer` completes it with byte-identical files on the receiver.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

/** Large enough that the sender is still sending when it is closed after its first progress event. */
const FILE_BYTES = 64 * 1024 * 1024

describe('app: closed mid-transfer, then resumed', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp
  let source: string

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-resume-'))
    ;[alice, bob] = await Promise.all([startTestApp(net, 'alice'), startTestApp(net, 'bob')])
    bob.on('offer', o => { void bob.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal) })
    await mkdir(join(net.root, 'src'))
    source = join(net.root, 'src', 'big.bin')
    await randomFile(source, FILE_BYTES)
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('both sides record it interrupted, and resumeTransfer completes it', async () => {
    const sending = nextEvent(alice, 'transfer', t => t.state === 'transferring' && t.transferredBytes > 0)
    const interrupted = nextEvent(bob, 'transfer', t => t.state !== 'transferring' && t.state !== 'accepted' && t.state !== 'offered')
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: source, relativePath: 'big.bin' }] }, signal)
    const progress = await sending
    assert.ok(progress.transferredBytes < FILE_BYTES, 'still sending when closed')
    await alice.stop()
    const onBob = await interrupted
    assert.equal(onBob.id, transferId)
    assert.equal(onBob.state, 'interrupted')

    alice = await startTestApp(net, 'alice')
    const recorded = await alice.handlers.getTransfer({ transferId }, signal)
    assert.deepEqual([recorded.state, recorded.error?.code, recorded.canResume], ['interrupted', 'paused', true])
    const sent = nextEvent(alice, 'transfer', t => t.id === transferId && (t.state === 'completed' || t.state === 'failed'), 120_000)
    const received = nextEvent(bob, 'transfer', t => t.id === transferId && t.state === 'completed', 120_000)
    assert.deepEqual(await alice.handlers.resumeTransfer({ transferId }, signal), { transferId })
    assert.equal((await sent).state, 'completed')
    await received
    assert.equal(await fileSha256(join(bob.downloadDir, 'big.bin')), await fileSha256(source))
  })
})
