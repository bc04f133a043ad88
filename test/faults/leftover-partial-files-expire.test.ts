/**
 * Invariant: a partial file stays only while a resume can use it. When a peer starts, every file in a download
 * folder's `.ferry-partial` folder is removed unless it belongs to a received transfer that is still resumable
 * (accepted, `interrupted` or `failed`, into that download folder), is not verified already, and was written within
 * `PARTIAL_MAX_AGE_MS` (7 days); the folder goes once it is empty. A file written within `PARTIAL_GRACE_MS` (1 h)
 * stays whatever it is: another Ferry process, with its own history, may be writing it.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PARTIAL_FOLDER } from '../../src-main/core/paths/index.ts'
import { startPeer } from '../../src-main/core/peer/index.ts'
import type { Peer } from '../../src-main/core/peer/index.ts'
import { openStore } from '../../src-main/core/store/index.ts'
import type { Store, TransferState } from '../../src-main/core/store/index.ts'
import { tempName } from '../../src-main/core/transfer/index.ts'
import { PARTIAL_GRACE_MS, PARTIAL_MAX_AGE_MS } from '../../src-main/core/transfer/partial-files.ts'
import { rm, tempDir } from '../helpers/files.ts'

const PEER = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHhR5k3nTzqfpUkS3oJ1oMb'

/** Records a received transfer into `destDir`, accepted, ended in `state`; files listed as verified are so recorded. */
function record (store: Store, destDir: string, state: TransferState, verified: number[] = [], fileCount = 2): string {
  const id = randomUUID()
  store.transfers.create({
    id, direction: 'receive', peerId: PEER, state: 'offered', totalBytes: fileCount * 10, fileCount, destDir,
    files: Array.from({ length: fileCount }, (_, i) => ({ relPath: `f${i}.bin`, size: 10 }))
  })
  store.transfers.setState(id, 'transferring')
  for (const i of verified) store.transfers.fileDone(id, i, { sha256: '0'.repeat(64), localPath: join(destDir, `f${i}.bin`), state: 'verified' })
  store.transfers.setState(id, state)
  return id
}

describe('leftover partial files expire when the peer starts', () => {
  let root: string
  let downloadDir: string
  let partial: string
  let peer: Peer | undefined
  const kept: string[] = []
  const removed: string[] = []

  before(async () => {
    root = await tempDir('ferry-partial-expiry-')
    downloadDir = join(root, 'downloads')
    partial = join(downloadDir, PARTIAL_FOLDER)
    const dataDir = join(root, 'data')
    await mkdir(partial, { recursive: true })
    await mkdir(dataDir, { recursive: true })
    const store = openStore(join(dataDir, 'ferry.db'))
    const resumable = record(store, downloadDir, 'interrupted', [0])
    const failed = record(store, downloadDir, 'failed')
    const completed = record(store, downloadDir, 'completed')
    const cancelled = record(store, downloadDir, 'cancelled')
    const elsewhere = record(store, join(root, 'other-downloads'), 'interrupted')
    const old = record(store, downloadDir, 'interrupted')
    store.close()
    const recent = tempName(randomUUID(), 0)
    kept.push(tempName(resumable, 1), tempName(failed, 0), recent)
    removed.push(
      tempName(resumable, 0), // its file is verified and placed already
      tempName(resumable, 5), // no such file in the transfer
      tempName(completed, 0), tempName(cancelled, 1), tempName(elsewhere, 0), tempName(randomUUID(), 0),
      tempName(old, 0), 'not-a-temp-file.txt')
    for (const name of [...kept, ...removed]) await writeFile(join(partial, name), 'partial bytes')
    // Every file was last written two hours ago (past the grace period), but one of an unknown transfer written now
    // and the old transfer's, written more than 7 days ago.
    const hoursAgo = new Date(Date.now() - PARTIAL_GRACE_MS - 60 * 60_000)
    for (const name of [...kept, ...removed]) if (name !== recent) await utimes(join(partial, name), hoursAgo, hoursAgo)
    const longAgo = new Date(Date.now() - PARTIAL_MAX_AGE_MS - 60_000)
    await utimes(join(partial, tempName(old, 0)), longAgo, longAgo)
    peer = await startPeer({ dataDir, downloadDir, relays: [], iceServers: [], listen: ['/ip4/127.0.0.1/tcp/0'], acceptIncoming: false })
  })

  after(async () => {
    await peer?.stop()
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('keeps exactly the partial files a resume can still use', async () => {
    assert.deepEqual((await readdir(partial)).sort(), [...kept].sort())
  })

  it('removes the rest once nothing can resume them, and then the empty folder', async () => {
    assert.ok(peer != null)
    for (const name of kept.slice(0, 2)) peer.store.transfers.setState(name.slice(0, 36), 'cancelled')
    assert.equal(await peer.transfers.sweepPartialFiles(), 2)
    assert.deepEqual((await readdir(partial)).sort(), kept.slice(2))
    // Past the grace period, the unknown transfer's file goes too, and with it the empty folder.
    assert.equal(await peer.transfers.sweepPartialFiles(Date.now() + PARTIAL_GRACE_MS + 60_000), 1)
    assert.deepEqual(await readdir(downloadDir), [])
  })
})
