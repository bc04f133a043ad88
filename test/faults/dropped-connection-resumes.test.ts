/**
 * Invariant: when the connection drops mid-transfer, a sender given `retryForMs` reaches the peer again by itself and
 * resumes at the receiver's last verified block, under the same transfer ID: the bytes already verified are not sent
 * again (the resumed stream carries exactly the missing bytes), and the file arrives byte-identical, recorded
 * completed on both sides. Two in-process peers talk relay-assisted WebRTC through an in-process loopback relay.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BLOCK_BYTES } from '../../src-main/core/protocol/index.ts'
import type { TransferResult } from '../../src-main/core/transfer/index.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { controlOf, fileSha256, TestNetwork, wireTap } from '../helpers/peers.ts'
import type { TappedStream, TestPeer } from '../helpers/peers.ts'

const FILE_BYTES = 64 * 1024 * 1024
/** The receiver hangs up once it has written this much. */
const DROP_AFTER_BYTES = 16 * 1024 * 1024

describe('a transfer whose connection drops', () => {
  let root: string
  let net: TestNetwork
  let rx: TestPeer
  let tx: TestPeer
  let source: string
  let result: TransferResult
  const tap = wireTap()
  const interruptions: Array<{ attempt: number, code: string | undefined }> = []
  const resuming: Array<{ direction: string, transferId: string, skippedBytes: number }> = []
  let droppedAt = 0

  before(async () => {
    root = await tempDir('ferry-drop-')
    source = join(root, 'big.bin')
    await randomFile(source, FILE_BYTES)
    net = await TestNetwork.start(root)
    rx = await net.peer('rx', { middleware: [tap.middleware] })
    tx = await net.peer('tx', { acceptIncoming: false })
    for (const peer of [rx, tx]) peer.transfers.on('resuming', r => resuming.push(r))
    rx.transfers.on('progress', (p) => {
      if (droppedAt !== 0 || p.transferredBytes < DROP_AFTER_BYTES) return
      droppedAt = p.transferredBytes
      void rx.node.hangUp(tx.node.peerId)
    })
    const addr = rx.addr
    assert.ok(addr != null)
    result = await tx.transfers.send(addr, [source], {
      retryForMs: 30_000,
      onInterrupted: (attempt, err) => interruptions.push({ attempt, code: (err as { code?: string }).code })
    })
  })

  after(async () => {
    await net?.stop()
    await rm(root, { recursive: true, force: true })
  })

  /** The transfer streams that reached the data phase: the first attempt and the resumed one. */
  function attempts (): { first: TappedStream, resumed: TappedStream } {
    const withData = tap.streams.filter(s => controlOf(s, 'file-start') != null)
    assert.equal(withData.length, 2, `one interrupted and one resumed stream (saw ${withData.length})`)
    return { first: withData[0] as TappedStream, resumed: withData[1] as TappedStream }
  }

  it('the connection really dropped mid-transfer and the sender noticed it as an interruption', () => {
    assert.ok(droppedAt >= DROP_AFTER_BYTES && droppedAt < FILE_BYTES, `dropped at ${droppedAt}`)
    assert.ok(interruptions.length >= 1, 'the sender reported the interruption')
    assert.equal(interruptions[0]?.code, 'interrupted')
    const { first } = attempts()
    assert.ok(first.dataBytes < FILE_BYTES, `the first stream ended before the whole file (${first.dataBytes} bytes)`)
  })

  it('the sender resumed by itself under the same transfer ID, skipping the verified blocks', () => {
    const { first, resumed } = attempts()
    assert.equal(controlOf(first, 'offer')?.transferId, result.transferId)
    assert.equal(controlOf(resumed, 'offer')?.transferId, result.transferId)
    const sent = resuming.find(r => r.direction === 'send')
    const received = resuming.find(r => r.direction === 'receive')
    assert.ok(sent != null && received != null, `both sides reported the resume: ${JSON.stringify(resuming)}`)
    assert.equal(sent.skippedBytes, received.skippedBytes)
    assert.ok(sent.skippedBytes > 0, 'verified bytes were kept')
    assert.equal(sent.skippedBytes % BLOCK_BYTES, 0, 'resume starts at a block boundary')
    assert.ok(sent.skippedBytes <= first.dataBytes, `skipped ${sent.skippedBytes} ≤ received before the drop ${first.dataBytes}`)
    assert.equal(result.skippedBytes, sent.skippedBytes)
  })

  it('after the drop only the missing bytes crossed the wire', () => {
    const { resumed } = attempts()
    assert.equal(resumed.dataBytes, FILE_BYTES - (result.skippedBytes ?? 0))
    assert.ok(resumed.dataBytes < FILE_BYTES)
    assert.equal(controlOf(resumed, 'file-start')?.offset, result.skippedBytes)
  })

  it('the file is byte-identical, no partial file is left, and both histories say completed', async () => {
    assert.equal(await fileSha256(join(rx.downloadDir, 'big.bin')), await fileSha256(source))
    assert.deepEqual(await readdir(rx.downloadDir), ['big.bin'])
    for (const peer of [rx, tx]) {
      const all = peer.store.transfers.list()
      assert.equal(all.length, 1, `${peer.name}: one transfer record, resumed in place`)
      assert.equal(all[0]?.id, result.transferId)
      assert.equal(all[0]?.state, 'completed')
    }
  })
})
