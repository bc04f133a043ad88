/**
 * Invariant: a transfer the receiver accepted only in part (`accept.files`) and whose connection dropped mid-way
 * resumes with the same choice: the resumed `accept` names the same files again (from the receiver's record, without
 * asking), the file not accepted is never sent nor written, the accepted ones arrive byte-identical, and both sides
 * record it completed with the other file `skipped`. Two in-process peers, relay-assisted WebRTC through a loopback relay.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { TransferResult } from '../../src-main/core/transfer/index.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256, TestNetwork, wireTap } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const BIG_BYTES = 32 * 1024 * 1024
/** The receiver hangs up once it has written this much. */
const DROP_AFTER_BYTES = 8 * 1024 * 1024

describe('a partially accepted transfer whose connection drops', () => {
  let root: string
  let net: TestNetwork
  let rx: TestPeer
  let tx: TestPeer
  let result: TransferResult
  const tap = wireTap()
  let asked = 0
  let droppedAt = 0

  before(async () => {
    root = await tempDir('ferry-partial-drop-')
    await mkdir(join(root, 'src'))
    await randomFile(join(root, 'src', 'unwanted.bin'), 4 * 1024 * 1024)
    await randomFile(join(root, 'src', 'wanted-big.bin'), BIG_BYTES)
    await randomFile(join(root, 'src', 'wanted-small.bin'), 1000)
    net = await TestNetwork.start(root)
    rx = await net.peer('rx', {
      middleware: [tap.middleware],
      decide: async (offer) => {
        asked++
        return { accept: true, files: offer.files.flatMap((f, i) => f.path.includes('wanted-') ? [i] : []) }
      }
    })
    tx = await net.peer('tx', { acceptIncoming: false })
    rx.transfers.on('progress', (p) => {
      if (droppedAt !== 0 || p.transferredBytes < DROP_AFTER_BYTES) return
      droppedAt = p.transferredBytes
      void rx.node.hangUp(tx.node.peerId)
    })
    assert.ok(rx.addr != null)
    result = await tx.transfers.send(rx.addr, [join(root, 'src')], { retryForMs: 30_000 })
  })

  after(async () => {
    await net?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('was interrupted once and resumed without asking again, accepting the same files', () => {
    assert.ok(droppedAt > 0, 'the connection was dropped mid-transfer')
    assert.equal(asked, 1, 'the person was asked once')
    const accepts = tap.streams.flatMap(s => s.sent.filter(m => m.type === 'accept'))
    assert.equal(accepts.length, 2, 'two accepts: the first attempt and the resumed one')
    for (const a of accepts) assert.deepEqual(a.files, [1, 2])
  })

  it('the file not accepted was never sent nor written; the accepted ones are byte-identical', async () => {
    const starts = tap.streams.flatMap(s => s.received.flatMap(f => f.kind === 'control' && f.type === 'file-start' ? [f.message.index] : []))
    assert.ok(!starts.includes(0), `file-start indexes: ${starts.join(', ')}`)
    assert.deepEqual((await readdir(join(rx.downloadDir, 'src'))).sort(), ['wanted-big.bin', 'wanted-small.bin'])
    for (const name of ['wanted-big.bin', 'wanted-small.bin']) assert.equal(await fileSha256(join(rx.downloadDir, 'src', name)), await fileSha256(join(root, 'src', name)))
    assert.deepEqual(result.files.map(f => f.path).sort(), ['src/wanted-big.bin', 'src/wanted-small.bin'])
  })

  it('both sides record it completed, with the file not accepted skipped', () => {
    for (const peer of [rx, tx]) {
      assert.equal(peer.store.transfers.get(result.transferId)?.state, 'completed')
      assert.deepEqual(peer.store.transfers.files(result.transferId).map(f => [f.relPath, f.state]), [['src/unwanted.bin', 'skipped'], ['src/wanted-big.bin', 'verified'], ['src/wanted-small.bin', 'verified']])
    }
  })
})
