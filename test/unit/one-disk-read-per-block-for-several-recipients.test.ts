/**
 * Invariant: the same file sent to two receivers at once, the two sends sharing one `SharedReads` (as the app's and
 * `ferry send`'s sends to several recipients do), reads each block from disk once, not once per receiver — the file
 * fits in the shared budget, so this holds whatever the two sends' relative speeds — and both receivers verify it
 * byte-identical. Without the sharing it would take two reads per block. That holds too when one send ends before
 * the other starts reading (its dial took longer: seen in CI, 34 reads and no shared block, before the blocks of a send
 * that ended were kept for the others).
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { collectFiles, SharedReads } from '../../src-main/core/transfer/index.ts'
import { BLOCK_BYTES } from '../../src-main/core/protocol/index.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const FILE_BYTES = 16 * BLOCK_BYTES + 12_345

describe('sends of one file to several receivers share its reads', () => {
  let net: TestNetwork
  let tx: TestPeer
  let rx: TestPeer[]
  let source: string

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-shared-reads-'))
    source = join(net.root, 'shared.bin')
    await randomFile(source, FILE_BYTES)
    ;[tx, ...rx] = await Promise.all([net.peer('tx', { acceptIncoming: false }), net.peer('rx1'), net.peer('rx2')])
  })
  after(async () => {
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('reads each block once for both sends, and both receivers verify the file', async () => {
    const { files } = await collectFiles([source])
    const shared = new SharedReads(rx.length)
    await Promise.all(rx.map(async r => {
      assert.ok(r.addr != null)
      try {
        await tx.transfers.sendLocal(r.addr, files, { sharedReads: shared })
      } finally {
        shared.leave()
      }
    }))
    const blocks = Math.ceil(FILE_BYTES / BLOCK_BYTES)
    assert.deepEqual({ diskReads: shared.diskReads, sharedHits: shared.sharedHits }, { diskReads: blocks, sharedHits: blocks })
    for (const r of rx) assert.equal(await fileSha256(join(r.downloadDir, 'shared.bin')), await fileSha256(source))
  })

  it('a send that ends before the other starts reading leaves its blocks to it: still one read per block', async () => {
    const { files } = await collectFiles([source])
    const shared = new SharedReads(rx.length)
    for (const r of rx) {
      assert.ok(r.addr != null)
      try {
        await tx.transfers.sendLocal(r.addr, files, { sharedReads: shared })
      } finally {
        shared.leave()
      }
    }
    const blocks = Math.ceil(FILE_BYTES / BLOCK_BYTES)
    assert.deepEqual({ diskReads: shared.diskReads, sharedHits: shared.sharedHits }, { diskReads: blocks, sharedHits: blocks })
    // The first test's copies are there already: these arrive under the next free name.
    for (const r of rx) assert.equal(await fileSha256(join(r.downloadDir, 'shared (1).bin')), await fileSha256(source))
  })
})
