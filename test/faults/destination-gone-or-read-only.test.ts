/**
 * Invariant: a download folder that disappears mid-transfer, or that is read-only, fails the transfer with a clear
 * `write-failed` error on both sides — nothing is placed, half-placed or written anywhere else, and neither side
 * records the transfer as completed.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { assertRoot, listAll, mountTmpfs, needsRoot, randomFile, remountReadOnly, rm, tempDir, unmount } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const FILE_BYTES = 64 * 1024 * 1024
/** The receiver's download folder is deleted once it has written this much. */
const DELETE_AFTER_BYTES = 8 * 1024 * 1024

type Failure = { name: string, code: string, message: string }

/** Sends `paths` and returns the error it fails with (fails the test if it completes). */
async function sendExpectingFailure (tx: TestPeer, rx: TestPeer, paths: string[]): Promise<Failure> {
  const addr = rx.addr
  assert.ok(addr != null)
  return tx.transfers.send(addr, paths).then(
    (r) => assert.fail(`the transfer ${r.transferId} completed`),
    (err: unknown) => err as Failure)
}

/** The single transfer each side recorded. */
function onlyTransfer (peer: TestPeer): { id: string, state: string, errorCode?: string } {
  const all = peer.store.transfers.list()
  assert.equal(all.length, 1, `${peer.name} recorded one transfer`)
  return all[0] as { id: string, state: string, errorCode?: string }
}

/** Both sides hold the same single transfer, recorded failed with `write-failed`. */
function assertBothFailedWithWriteFailed (rx: TestPeer, tx: TestPeer): void {
  const received = onlyTransfer(rx)
  const sent = onlyTransfer(tx)
  assert.equal(received.id, sent.id)
  for (const t of [received, sent]) {
    assert.equal(t.state, 'failed')
    assert.equal(t.errorCode, 'write-failed')
  }
}

describe('the download folder is deleted mid-transfer', () => {
  let root: string
  let net: TestNetwork
  let rx: TestPeer
  let tx: TestPeer
  let failure: Failure
  let deletedAt = 0

  before(async () => {
    root = await tempDir('ferry-gone-')
    await randomFile(join(root, 'big.bin'), FILE_BYTES)
    net = await TestNetwork.start(root)
    rx = await net.peer('rx')
    tx = await net.peer('tx', { acceptIncoming: false })
    let deleting: Promise<void> | undefined
    rx.transfers.on('progress', (p) => {
      if (deleting != null || p.transferredBytes < DELETE_AFTER_BYTES) return
      deletedAt = p.transferredBytes
      deleting = rm(rx.downloadDir, { recursive: true, force: true })
    })
    failure = await sendExpectingFailure(tx, rx, [join(root, 'big.bin')])
    await deleting
  })

  after(async () => {
    await net?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('was deleted while the file was arriving', () => {
    assert.ok(deletedAt >= DELETE_AFTER_BYTES && deletedAt < FILE_BYTES, `deleted at ${deletedAt}`)
  })

  it('the sender gets write-failed saying the download folder is gone', () => {
    assert.equal(failure.name, 'RemoteError')
    assert.equal(failure.code, 'write-failed')
    assert.match(failure.message, /download folder is gone/)
  })

  it('nothing is placed: the folder is not recreated and no file appears anywhere', async () => {
    assert.equal(existsSync(rx.downloadDir), false, 'the deleted folder stays deleted')
    const everything = await listAll(root)
    assert.deepEqual(everything.filter(p => p.endsWith('big.bin') && p !== 'big.bin'), [], 'no copy of the file outside its source')
    assert.deepEqual(everything.filter(p => p.includes('.ferry-')), [], 'no partial file left behind')
  })

  it('both sides record the transfer failed with write-failed', () => assertBothFailedWithWriteFailed(rx, tx))
})

describe('the download folder is read-only', needsRoot('mount a read-only tmpfs (chmod does not stop root)'), () => {
  let root: string
  let downloadDir: string
  let net: TestNetwork
  let rx: TestPeer
  let tx: TestPeer
  let failure: Failure

  before(async () => {
    assertRoot('mount a read-only tmpfs')
    root = await tempDir('ferry-readonly-')
    downloadDir = join(root, 'downloads')
    await mountTmpfs(downloadDir, 8 * 1024 * 1024)
    await remountReadOnly(downloadDir)
    await assert.rejects(writeFile(join(downloadDir, 'probe'), 'x'), { code: 'EROFS' }, 'the mount is really read-only')
    // A folder, so that the receiver has to create a subfolder first.
    await mkdir(join(root, 'src', 'album'), { recursive: true })
    await randomFile(join(root, 'src', 'album', 'photo.jpg'), 256 * 1024)
    net = await TestNetwork.start(root)
    rx = await net.peer('rx', { downloadDir })
    tx = await net.peer('tx', { acceptIncoming: false })
    failure = await sendExpectingFailure(tx, rx, [join(root, 'src', 'album')])
  })

  after(async () => {
    await net?.stop()
    if (downloadDir != null) await unmount(downloadDir)
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('the sender gets write-failed saying the folder is read-only', () => {
    assert.equal(failure.name, 'RemoteError')
    assert.equal(failure.code, 'write-failed')
    assert.match(failure.message, /read-only/)
  })

  it('nothing is written', async () => {
    assert.deepEqual(await readdir(downloadDir), [])
  })

  it('both sides record the transfer failed with write-failed', () => assertBothFailedWithWriteFailed(rx, tx))
})
