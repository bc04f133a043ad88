/**
 * Invariant: when the sender cannot go on reading a file (here it becomes shorter while it is sent), both sides know
 * why from a typed reason, not from words: the sender's `error` frame carries `reason: "file-changed"` (docs/PROTOCOL.md
 * §4, "error"), the receiver's `failed` event and history record keep it, and so does the sender's own record.
 */
import assert from 'node:assert/strict'
import { truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { controlOf, TestNetwork, wireTap } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'
import type { TransferFailure } from '../../src-main/core/index.ts'

describe('a source file that shrinks mid-send', () => {
  let net: TestNetwork
  let sender: TestPeer
  let receiver: TestPeer
  const tap = wireTap()

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-shrinking-source-'))
    receiver = await net.peer('receiver', { middleware: [tap.middleware] })
    sender = await net.peer('sender', { acceptIncoming: false })
  })
  after(async () => {
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('is read-failed with reason file-changed on the wire, in the receiver\'s event and record, and in the sender\'s record', async () => {
    const source = join(net.root, 'big.bin')
    await randomFile(source, 32 * 1048576)
    const told = new Promise<TransferFailure>(resolve => receiver.transfers.on('failed', f => resolve(f)))
    let shrunk = false
    sender.transfers.on('progress', p => {
      if (!shrunk && p.transferredBytes > 0) { shrunk = true; void truncate(source, 1048576) }
    })
    const err = await sender.transfers.send(receiver.addr!, [source]).then(() => undefined, (e: unknown) => e as { code: string, reason?: string })
    assert.deepEqual([err?.code, err?.reason], ['read-failed', 'file-changed'])
    const failure = await told
    assert.deepEqual([failure.code, failure.reason], ['read-failed', 'file-changed'])
    const frame = tap.streams.map(s => controlOf(s, 'error')).find(m => m != null)
    assert.deepEqual([frame?.code, frame?.reason], ['read-failed', 'file-changed'], JSON.stringify(frame))
    assert.ok(failure.transferId != null)
    for (const peer of [receiver, sender]) {
      const rec = peer.store.transfers.get(failure.transferId)
      assert.deepEqual([rec?.state, rec?.errorCode, rec?.errorReason], ['failed', 'read-failed', 'file-changed'], peer.name)
    }
  })
})
