/**
 * Invariant: a send's own upload limit (`SendOptions.limitBytesPerSecond`) holds it to the limit (never more than 10 %
 * above it) over loopback TCP (which is much faster), without starving it (at least half the limit, a floor a loaded
 * CI machine still reaches: the 10 % band both ways, for `--limit-rate`, is the e2e test's), while a send without one on the same service runs unlimited; the limit of all
 * sends together (`setUploadLimit`) is held by test/e2e/several-recipients-and-limit-rate.test.ts.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { collectFiles } from '../../src-main/core/transfer/index.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const MiB = 1024 * 1024
const LIMIT = 8 * MiB

describe('a send\'s own upload limit', () => {
  let net: TestNetwork
  let tx: TestPeer
  let rx: TestPeer
  let source: string

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-send-limit-'))
    source = join(net.root, 'sixteen.bin')
    await randomFile(source, 16 * MiB)
    ;[tx, rx] = await Promise.all([net.peer('tx', { acceptIncoming: false }), net.peer('rx', { listen: ['/ip4/127.0.0.1/tcp/0'] })])
  })
  after(async () => {
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('holds the send to its limit, and leaves a send without one unlimited', async () => {
    const { files } = await collectFiles([source])
    const direct = rx.node.getMultiaddrs().find(a => a.toString().startsWith('/ip4/127.0.0.1/tcp/') && !a.toString().includes('p2p-circuit'))
    assert.ok(direct != null)
    const limited = await tx.transfers.sendLocal(direct, files, { limitBytesPerSecond: LIMIT })
    const rate = limited.totalBytes / (limited.transferMs / 1000)
    console.log(`# limit 8 MiB/s: 16 MiB at ${(rate / MiB).toFixed(2)} MiB/s`)
    assert.ok(rate <= LIMIT * 1.1, `held to the limit: measured ${(rate / MiB).toFixed(2)} MiB/s`)
    assert.ok(rate >= LIMIT * 0.5, `not starved: measured ${(rate / MiB).toFixed(2)} MiB/s`)
    assert.equal(await fileSha256(join(rx.downloadDir, 'sixteen.bin')), await fileSha256(source))

    const free = await tx.transfers.sendLocal(direct, files.map(f => ({ ...f, relPath: 'again.bin' })), {})
    const freeRate = free.totalBytes / (free.transferMs / 1000)
    console.log(`# no limit: 16 MiB at ${(freeRate / MiB).toFixed(2)} MiB/s`)
    assert.ok(freeRate > LIMIT * 1.5, `a send without a limit is not held to it: ${(freeRate / MiB).toFixed(2)} MiB/s`)
  })
})
