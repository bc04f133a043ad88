/**
 * Invariant: the outbox keeps queued sends in a real SQLite file across a reopen — files by reference with the size,
 * modification time and first block's hash they had when queued, a text snippet by value — oldest first; it refuses
 * an entry over its bounds (per contact and in all) writing nothing, and removing an entry removes its files.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_OUTBOX_PER_PEER, MAX_OUTBOX_TOTAL, openStore, OutboxFullError } from '../../src-main/core/store/index.ts'
import type { OutboxFile } from '../../src-main/core/store/index.ts'
import { inspect, newDbPath, useStoreDir } from './store-fixtures.ts'

useStoreDir()

const file = (relPath: string, size: number): OutboxFile =>
  ({ relPath, absPath: `/home/me/${relPath}`, size, mtimeMs: 1_700_000_000_123.456, headSha256: 'ab'.repeat(32) })

describe('outbox', () => {
  test('entries survive a reopen, oldest first, with their files as queued and a snippet by value', () => {
    const path = newDbPath()
    const clock = { t: 1_000 }
    let store = openStore(path, { now: () => clock.t })
    store.outbox.add({ id: 'e1', peerId: 'peerB', files: [file('a.txt', 10), file('sub/b.bin', 20)] })
    clock.t = 2_000
    store.outbox.add({ id: 'e2', peerId: 'peerC', text: 'héllo' })
    store.close()

    store = openStore(path)
    assert.deepEqual(store.outbox.list(), [
      { id: 'e1', peerId: 'peerB', kind: 'files', totalBytes: 30, fileCount: 2, createdAt: 1_000 },
      { id: 'e2', peerId: 'peerC', kind: 'text', text: 'héllo', totalBytes: 6, fileCount: 0, createdAt: 2_000 }
    ])
    assert.deepEqual(store.outbox.list('peerC').map(e => e.id), ['e2'])
    assert.deepEqual(store.outbox.files('e1'), [file('a.txt', 10), file('sub/b.bin', 20)])
    assert.deepEqual(store.outbox.files('e2'), [])
    assert.equal(store.outbox.remove('e1'), true)
    assert.equal(store.outbox.remove('e1'), false)
    assert.equal(store.outbox.get('e1'), undefined)
    store.close()
    assert.equal(inspect(path, db => db.prepare('SELECT COUNT(*) FROM outbox_files').pluck().get()), 0, 'its files went with it')
  })

  test('an entry over the bound per contact, or in all, is refused and writes nothing', () => {
    const store = openStore(newDbPath())
    for (let i = 0; i < MAX_OUTBOX_PER_PEER; i++) store.outbox.add({ id: `b${i}`, peerId: 'peerB', files: [file('a.txt', 1)] })
    assert.throws(() => store.outbox.add({ id: 'over', peerId: 'peerB', files: [file('a.txt', 1)] }),
      (err: unknown) => err instanceof OutboxFullError && err.code === 'outbox-full' && err.scope === 'peer')
    assert.equal(store.outbox.get('over'), undefined)
    assert.equal(store.outbox.files('over').length, 0)
    let n = MAX_OUTBOX_PER_PEER
    for (let p = 0; n < MAX_OUTBOX_TOTAL; p++) {
      for (let i = 0; i < MAX_OUTBOX_PER_PEER && n < MAX_OUTBOX_TOTAL; i++, n++) store.outbox.add({ id: `p${p}-${i}`, peerId: `peer${p}`, text: 'x' })
    }
    assert.throws(() => store.outbox.add({ id: 'over2', peerId: 'someoneNew', text: 'x' }),
      (err: unknown) => err instanceof OutboxFullError && err.scope === 'total')
    assert.equal(store.outbox.list().length, MAX_OUTBOX_TOTAL)
    store.close()
  })
})
