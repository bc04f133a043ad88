/**
 * Invariant: one receiver takes 20 transfers at once — 4 concurrent sends from each of 5 sender peers, all over
 * relay-assisted WebRTC — and every one completes: each received file is byte-identical to its source, nothing is
 * mixed up between transfers or peers, and the receiver's history holds 20 completed transfers with the right peers.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PARTIAL_FOLDER } from '../../src-main/core/paths/index.ts'
import type { TransferResult } from '../../src-main/core/transfer/index.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const PEERS = 5
const TRANSFERS_PER_PEER = 4
const FILE_BYTES = 4 * 1024 * 1024

describe('one receiver under load', () => {
  let root: string
  let net: TestNetwork
  let rx: TestPeer
  const senders: TestPeer[] = []
  /** File name → [sender peer ID, source path]. */
  const sources = new Map<string, { peerId: string, path: string }>()
  let outcomes: Array<PromiseSettledResult<TransferResult>>
  let elapsedMs = 0
  let running = 0
  let mostAtOnce = 0

  before(async () => {
    root = await tempDir('ferry-load-')
    net = await TestNetwork.start(root)
    rx = await net.peer('rx')
    for (let p = 0; p < PEERS; p++) senders.push(await net.peer(`tx${p}`, { acceptIncoming: false }))
    for (const [p, tx] of senders.entries()) {
      await mkdir(join(root, 'src', String(p)), { recursive: true })
      for (let t = 0; t < TRANSFERS_PER_PEER; t++) {
        const name = `peer${p}-transfer${t}.bin`
        const path = join(root, 'src', String(p), name)
        await randomFile(path, FILE_BYTES)
        sources.set(name, { peerId: tx.peerId, path })
      }
    }
    rx.transfers.on('offer', () => { running++; mostAtOnce = Math.max(mostAtOnce, running) })
    rx.transfers.on('complete', () => { running-- })
    const addr = rx.addr
    assert.ok(addr != null)
    const started = Date.now()
    outcomes = await Promise.allSettled([...sources.entries()].map(async ([, { peerId, path }]) => {
      const tx = senders.find(s => s.peerId === peerId) as TestPeer
      return tx.transfers.send(addr, [path])
    }))
    elapsedMs = Date.now() - started
    console.log(`# ${sources.size} transfers of ${FILE_BYTES / 1048576} MiB from ${PEERS} peers in ${elapsedMs} ms, ${mostAtOnce} at once`)
  })

  after(async () => {
    await net?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('the transfers really ran concurrently', () => {
    assert.ok(mostAtOnce >= PEERS, `at most ${mostAtOnce} transfers were in progress at once`)
  })

  it('all 20 sends complete', () => {
    const failed = outcomes.flatMap(o => o.status === 'rejected' ? [String((o.reason as Error).message)] : [])
    assert.deepEqual(failed, [])
    assert.equal(outcomes.length, PEERS * TRANSFERS_PER_PEER)
    const ids = new Set(outcomes.map(o => (o as PromiseFulfilledResult<TransferResult>).value.transferId))
    assert.equal(ids.size, PEERS * TRANSFERS_PER_PEER, 'each send is its own transfer')
  })

  it('every received file is byte-identical to its source', async () => {
    // Ferry's own folder of partial files may still be there for an instant (it is removed, if empty, once the last
    // receive into the folder has ended); it holds nothing.
    const listed = await readdir(rx.downloadDir)
    if (listed.includes(PARTIAL_FOLDER)) {
      // It may be removed between the two reads: gone counts as empty.
      const partial = await readdir(join(rx.downloadDir, PARTIAL_FOLDER)).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return []; throw err })
      assert.deepEqual(partial, [], 'no partial file is left')
    }
    assert.deepEqual(listed.filter(n => n !== PARTIAL_FOLDER).sort(), [...sources.keys()].sort())
    for (const [name, { path }] of sources) assert.equal(await fileSha256(join(rx.downloadDir, name)), await fileSha256(path), name)
  })

  it("the receiver's history has 20 completed transfers, each from the peer that sent that file", () => {
    const received = rx.store.transfers.list({ direction: 'receive' })
    assert.equal(received.length, PEERS * TRANSFERS_PER_PEER)
    for (const t of received) {
      assert.equal(t.state, 'completed')
      const [file] = rx.store.transfers.files(t.id)
      assert.ok(file != null)
      assert.equal(file.state, 'verified')
      assert.equal(t.peerId, sources.get(file.relPath)?.peerId, `${file.relPath} came from its sender`)
    }
    for (const tx of senders) {
      const sent = tx.store.transfers.list({ direction: 'send' })
      assert.equal(sent.length, TRANSFERS_PER_PEER)
      assert.ok(sent.every(t => t.state === 'completed'))
    }
  })
})
