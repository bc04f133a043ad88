/**
 * Invariants of `sendAgain` (the app layer's "Send again"):
 * - a send that failed because the receiver's disk filled up (recorded `failed`, `write-failed`: the receiver kept its
 *   verified part) is sent again once there is room under the same transfer ID, resumed, and completes byte-identical
 *   (the download folder is a 40 MiB tmpfs, needs root; filled while the offer is decided, as
 *   test/faults/disk-full-keeps-partial.test.ts does);
 * - a send cut short when the receiver's Ferry closed (recorded `interrupted`, resumable) is sent again under the same
 *   transfer ID, resumed from the receiver's verified bytes — not sent again from the start — and completes with a
 *   byte-identical file;
 * - a send the receiver cancelled (not resumable: its partial file is gone) is sent again as a new transfer of the same
 *   file, which completes;
 * - a receive, or a send that is running, cannot be sent again (`not-found`, `already-running`).
 */
import assert from 'node:assert/strict'
import { mkdir, statfs, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { mountTmpfs, needsRoot, randomFile, rm, tempDir, unmount } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

/** Large enough that the receiver is still receiving when it is closed after its first progress event. */
const FILE_BYTES = 64 * 1024 * 1024

describe('app: sendAgain', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp
  let source: string

  const startBob = async (): Promise<TestApp> => {
    const app = await startTestApp(net, 'bob')
    app.on('offer', o => { void app.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal) })
    return app
  }

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-again-'))
    ;[alice, bob] = await Promise.all([startTestApp(net, 'alice'), startBob()])
    await mkdir(join(net.root, 'src'))
    source = join(net.root, 'src', 'big.bin')
    await randomFile(source, FILE_BYTES)
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('an interrupted send is sent again under its ID, resumed from what the receiver verified, and completes', async () => {
    const receiving = nextEvent(bob, 'transfer', t => t.direction === 'receive' && t.state === 'transferring' && t.transferredBytes >= 8 * 1024 * 1024, 60_000)
    const stopped = nextEvent(alice, 'transfer', t => t.direction === 'send' && !t.running, 60_000)
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: source, relativePath: 'big.bin' }] }, signal)
    await receiving
    await bob.stop()
    const ended = await stopped
    assert.equal(ended.id, transferId)
    assert.notEqual(ended.state, 'completed')
    assert.equal(ended.canResume, true)

    bob = await startBob()
    let skippedBytes = 0
    alice.peer.transfers.on('resuming', r => { if (r.transferId === transferId) skippedBytes = r.skippedBytes })
    const sent = nextEvent(alice, 'transfer', t => t.id === transferId && !t.running && t.state !== 'connecting', 120_000)
    assert.deepEqual(await alice.handlers.sendAgain({ transferId }, signal), { transferId })
    assert.equal((await sent).state, 'completed')
    assert.ok(skippedBytes > 0, 'resumed: the verified bytes were not sent again')
    assert.equal(await fileSha256(join(bob.downloadDir, 'big.bin')), await fileSha256(source))
  })

  it('a send the receiver cancelled is sent again as a new transfer of the same file, which completes', async () => {
    const small = join(net.root, 'src', 'small.bin')
    await randomFile(small, 24 * 1024 * 1024)
    const receiving = nextEvent(bob, 'transfer', t => t.direction === 'receive' && t.state === 'transferring' && t.transferredBytes > 0, 60_000)
    const cancelled = nextEvent(alice, 'transfer', t => t.direction === 'send' && !t.running, 60_000)
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: small, relativePath: 'small.bin' }] }, signal)
    const onBob = await receiving
    await bob.handlers.cancelTransfer({ transferId: onBob.id }, signal)
    assert.equal((await cancelled).state, 'cancelled')
    assert.equal((await alice.handlers.getTransfer({ transferId }, signal)).canResume, false)

    const again = await alice.handlers.sendAgain({ transferId }, signal)
    assert.notEqual(again.transferId, transferId)
    const done = await nextEvent(alice, 'transfer', t => t.id === again.transferId && !t.running && t.state !== 'connecting', 120_000)
    assert.equal(done.state, 'completed')
    assert.equal(await fileSha256(join(bob.downloadDir, 'small.bin')), await fileSha256(small))
  })

  it('a send that failed on a full disk is sent again once there is room: resumed under its ID, and completes', needsRoot('mount a small tmpfs'), async () => {
    const downloadDir = join(net.root, 'dave-tmpfs')
    const filler = join(downloadDir, 'filler')
    await mountTmpfs(downloadDir, 40 * 1024 * 1024)
    const dave = await startTestApp(net, 'dave', { downloadDir })
    try {
      const file = join(net.root, 'src', 'thirty.bin')
      await randomFile(file, 30 * 1024 * 1024)
      // After the free-space check, before the accept: leave about 10 MiB, so a write fails with ENOSPC mid-file.
      dave.on('offer', o => {
        void (async () => {
          const st = await statfs(downloadDir)
          await writeFile(filler, Buffer.alloc(st.bavail * st.bsize - 10 * 1024 * 1024))
          await dave.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal)
        })()
      })
      const failed = nextEvent(alice, 'transfer', t => t.direction === 'send' && !t.running && t.state !== 'connecting', 60_000)
      const { transferId } = await alice.handlers.sendLocalFiles({ peerId: dave.peer.peerId, files: [{ path: file, relativePath: 'thirty.bin' }] }, signal)
      const ended = await failed
      assert.deepEqual([ended.id, ended.state, ended.error?.code, ended.canResume], [transferId, 'failed', 'write-failed', true])

      await unlink(filler)
      let skippedBytes = 0
      alice.peer.transfers.on('resuming', r => { if (r.transferId === transferId) skippedBytes = r.skippedBytes })
      const sent = nextEvent(alice, 'transfer', t => t.id === transferId && !t.running && t.state !== 'connecting', 120_000)
      assert.deepEqual(await alice.handlers.sendAgain({ transferId }, signal), { transferId })
      assert.equal((await sent).state, 'completed')
      assert.ok(skippedBytes > 0, 'resumed: the verified bytes were not sent again')
      assert.equal(await fileSha256(join(downloadDir, 'thirty.bin')), await fileSha256(file))
    } finally {
      await dave.stop()
      await unmount(downloadDir)
    }
  })

  it('a receive, or a send that runs, is not sent again', async () => {
    const [received] = await bob.handlers.listHistory({ limit: 1 }, signal)
    assert.ok(received != null)
    await assert.rejects(bob.handlers.sendAgain({ transferId: received.id }, signal), { code: 'not-found' })
    const running = nextEvent(alice, 'transfer', t => t.direction === 'send' && t.state === 'transferring', 60_000)
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: source, relativePath: 'again.bin' }] }, signal)
    await running
    await assert.rejects(alice.handlers.sendAgain({ transferId }, signal), { code: 'already-running' })
    alice.handlers.cancelTransfer({ transferId }, signal).catch(() => {})
  })
})
