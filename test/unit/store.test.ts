/**
 * Invariant: the store keeps Ferry's transfers, their files, contacts and settings in a real SQLite file such that
 * the schema is migrated exactly once (and a newer schema is refused), every multi-row write is all-or-nothing,
 * terminal states and only those carry `finishedAt`, transfers cut short by a crash are found as `interrupted` on
 * the next start, progress is persisted throttled but never lost on `flush`, and deleting a transfer removes its
 * files. Every test runs against real database files in a temp dir. Columns added by later migrations:
 * ./store-migrations-keep-old-rows.test.ts.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {
  MIGRATIONS, openStore, ProgressWriter, TERMINAL_STATES
} from '../../src-main/core/store/index.ts'
import type { Store, TransferState } from '../../src-main/core/store/index.ts'
import { inspect, newDbPath, transferInput, useStoreDir } from './store-fixtures.ts'

useStoreDir()

/** A store on a fresh file whose clock is `clock.t` (ms). */
function fakeClockStore (clock = { t: 1_000 }): { store: Store, clock: { t: number }, file: string } {
  const file = newDbPath()
  return { store: openStore(file, { now: () => clock.t }), clock, file }
}
describe('opening and migrations', () => {
  test('a fresh file in a missing folder is created, migrated once, and user_version equals the migration count', () => {
    const file = newDbPath()
    assert.equal(fs.existsSync(path.dirname(file)), false)
    const store = openStore(file)
    store.settings.set('marker', 1)
    store.close()

    assert.ok(MIGRATIONS.length >= 1)
    const { version, tables } = inspect(file, db => ({
      version: db.pragma('user_version', { simple: true }),
      tables: db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()
    }))
    assert.equal(version, MIGRATIONS.length)
    assert.deepEqual(tables, ['contacts', 'outbox', 'outbox_files', 'settings', 'transfer_files', 'transfers'])

    // Re-running migration 1 would fail on CREATE TABLE and wipe nothing; the marker proves the data survived.
    const again = openStore(file)
    assert.equal(again.settings.get('marker'), 1)
    again.close()
    assert.equal(inspect(file, db => db.pragma('user_version', { simple: true })), MIGRATIONS.length)
  })

  test('a history from before error reasons (schema 2) is migrated: old rows read with no reason, new ones keep theirs after a reopen', () => {
    const file = newDbPath()
    fs.mkdirSync(path.dirname(file), { recursive: true })
    inspect(file, db => {
      db.exec(MIGRATIONS[0]!)
      db.exec(MIGRATIONS[1]!)
      db.pragma('user_version = 2')
      db.prepare(`INSERT INTO transfers (id, direction, peer_id, state, total_bytes, file_count, error_code, error_message, created_at, updated_at)
                  VALUES ('t-old', 'receive', 'p', 'interrupted', 1, 0, 'write-failed', 'Cannot write a: the disk is full', 1, 1)`).run()
    })
    const store = openStore(file)
    const old = store.transfers.get('t-old')
    assert.deepEqual([old?.errorCode, old?.errorReason, old?.errorPeerMessage], ['write-failed', undefined, undefined])
    store.transfers.create(transferInput('t-new'))
    store.transfers.setState('t-new', 'failed', { code: 'write-failed', message: 'm', reason: 'disk-full', peerMessage: 'p' })
    store.close()
    assert.equal(inspect(file, db => db.pragma('user_version', { simple: true })), MIGRATIONS.length)
    const reopened = openStore(file)
    const rec = reopened.transfers.get('t-new')
    assert.deepEqual([rec?.errorReason, rec?.errorPeerMessage], ['disk-full', 'p'])
    reopened.close()
    // A reason this version does not know (a newer Ferry wrote it) reads as none.
    inspect(file, db => { db.prepare("UPDATE transfers SET error_reason = 'quantum-foam' WHERE id = 't-new'").run() })
    const newer = openStore(file)
    assert.equal(newer.transfers.get('t-new')?.errorReason, undefined)
    newer.close()
  })

  test('a file from a newer schema (user_version 999) is refused with StoreVersionError and left untouched', () => {
    const file = newDbPath()
    fs.mkdirSync(path.dirname(file), { recursive: true })
    inspect(file, db => { db.pragma('user_version = 999') })

    assert.throws(() => openStore(file), (err: unknown) => {
      assert.ok(err instanceof Error)
      assert.equal(err.name, 'StoreVersionError')
      assert.equal((err as { code?: string }).code, 'store-too-new')
      assert.equal((err as { found?: number }).found, 999)
      assert.equal((err as { supported?: number }).supported, MIGRATIONS.length)
      assert.match(err.message, /newer version of Ferry/)
      return true
    })
    const { version, tables } = inspect(file, db => ({
      version: db.pragma('user_version', { simple: true }),
      tables: db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()
    }))
    assert.equal(version, 999)
    assert.equal(tables, 0)
  })

  test('the database file is in WAL journal mode', () => {
    const file = newDbPath()
    const store = openStore(file)
    store.transfers.create(transferInput('t-wal'))
    assert.equal(fs.existsSync(`${file}-wal`), true)
    assert.equal(inspect(file, db => db.pragma('journal_mode', { simple: true })), 'wal')
    store.close()
  })
})

describe('transfers', () => {
  test('10,000 files are written by one create and come back complete and in index order', () => {
    const { store } = fakeClockStore()
    const files = Array.from({ length: 10_000 }, (_, i) => ({ relPath: `dir/${i}.bin`, size: i, localPath: `/src/${i}` }))
    const created = store.transfers.create(transferInput('t-big', { totalBytes: 49_995_000, fileCount: 10_000, files }))
    assert.equal(created.fileCount, 10_000)
    const back = store.transfers.files('t-big')
    assert.equal(back.length, 10_000)
    back.forEach((f, i) => {
      assert.deepEqual(f, {
        transferId: 't-big', index: i, relPath: `dir/${i}.bin`, size: i, bytesDone: 0, localPath: `/src/${i}`, state: 'pending'
      })
    })
    store.close()
  })

  test('a create that fails on its 10,000th file leaves neither the transfer nor any file (one transaction)', () => {
    const { store, file } = fakeClockStore()
    const files = Array.from({ length: 10_000 }, (_, i) => ({ relPath: `f${i}`, size: 1 }))
    files[9_999] = { relPath: null as unknown as string, size: 1 } // violates NOT NULL on the last row
    assert.throws(() => store.transfers.create(transferInput('t-atomic', { fileCount: 10_000, files })))
    assert.equal(store.transfers.get('t-atomic'), undefined)
    assert.deepEqual(store.transfers.files('t-atomic'), [])
    assert.equal(inspect(file, db => db.prepare('SELECT count(*) FROM transfer_files').pluck().get()), 0)
    store.close()
  })

  test('creating a transfer with an ID already stored throws TransferExistsError and changes nothing', () => {
    const { store } = fakeClockStore()
    store.transfers.create(transferInput('t-dup'))
    assert.throws(() => store.transfers.create(transferInput('t-dup', { files: [{ relPath: 'other', size: 1 }] })),
      { name: 'TransferExistsError', code: 'transfer-exists' })
    assert.deepEqual(store.transfers.files('t-dup').map(f => f.relPath), ['a.txt', 'b/c.txt', 'd.txt'])
    store.close()
  })

  test('terminal states set finishedAt to now; non-terminal states leave it unset, also after a resume', () => {
    const { store, clock } = fakeClockStore()
    const all: TransferState[] = ['offered', 'accepted', 'transferring', 'completed', 'declined', 'failed',
      'interrupted', 'cancelled']
    for (const state of all) {
      const id = `t-${state}`
      clock.t = 1_000
      assert.equal(store.transfers.create(transferInput(id)).finishedAt, undefined)
      clock.t = 5_000
      const rec = store.transfers.setState(id, state)
      assert.equal(rec.state, state)
      assert.equal(rec.updatedAt, 5_000)
      assert.equal(rec.createdAt, 1_000)
      assert.equal(rec.finishedAt, TERMINAL_STATES.includes(state) ? 5_000 : undefined, state)
      assert.deepEqual(store.transfers.get(id), rec)
    }
    clock.t = 9_000
    const resumed = store.transfers.setState('t-interrupted', 'transferring')
    assert.equal(resumed.finishedAt, undefined)
    store.close()
  })

  test('an error given with a state is stored, and a later state without one clears it', () => {
    const { store } = fakeClockStore()
    store.transfers.create(transferInput('t-err'))
    const failed = store.transfers.setState('t-err', 'failed', { code: 'hash-mismatch', message: 'b/c.txt did not verify' })
    assert.equal(failed.errorCode, 'hash-mismatch')
    assert.equal(failed.errorMessage, 'b/c.txt did not verify')
    const full = store.transfers.setState('t-err', 'failed', { code: 'write-failed', message: 'm', reason: 'disk-full', peerMessage: 'Cannot write c.txt' })
    assert.deepEqual([full.errorCode, full.errorReason, full.errorPeerMessage], ['write-failed', 'disk-full', 'Cannot write c.txt'])
    const again = store.transfers.setState('t-err', 'transferring')
    assert.equal(again.errorCode, undefined)
    assert.equal(again.errorMessage, undefined)
    assert.equal(again.errorReason, undefined)
    assert.equal(again.errorPeerMessage, undefined)
    assert.throws(() => store.transfers.setState('nope', 'completed'), { name: 'TransferNotFoundError', code: 'transfer-not-found' })
    store.close()
  })

  test('after a crash, a reopen turns offered/accepted/transferring into interrupted and leaves finished ones alone', () => {
    const clock = { t: 1_000 }
    const file = newDbPath()
    const crashed = openStore(file, { now: () => clock.t })
    for (const [id, state] of [['run', 'transferring'], ['off', 'offered'], ['acc', 'accepted'],
      ['done', 'completed'], ['no', 'declined']] as const) {
      crashed.transfers.create(transferInput(id, { state: 'offered' }))
      crashed.transfers.setState(id, state)
    }
    // `crashed` is never closed before the next start (no checkpoint, no clean shutdown), as after a kill.
    clock.t = 2_000
    const next = openStore(file, { now: () => clock.t })
    assert.equal(next.transfers.markUnfinishedAsInterrupted(), 3)
    for (const id of ['run', 'off', 'acc']) {
      const rec = next.transfers.get(id)
      assert.equal(rec?.state, 'interrupted', id)
      assert.equal(rec?.finishedAt, 2_000, id)
    }
    assert.equal(next.transfers.get('done')?.state, 'completed')
    assert.equal(next.transfers.get('done')?.finishedAt, 1_000)
    assert.equal(next.transfers.get('no')?.state, 'declined')
    assert.equal(next.transfers.markUnfinishedAsInterrupted(), 0)
    next.close()
    crashed.close()
  })

  test('recordProgress writes the total and every listed file, or nothing when a file index is unknown', () => {
    const { store } = fakeClockStore()
    store.transfers.create(transferInput('t-prog'))
    store.transfers.recordProgress('t-prog', 15, [{ index: 0, bytesDone: 10, state: 'transferring' }, { index: 1, bytesDone: 5 }])
    assert.equal(store.transfers.get('t-prog')?.transferredBytes, 15)
    assert.deepEqual(store.transfers.files('t-prog').map(f => [f.bytesDone, f.state]),
      [[10, 'transferring'], [5, 'pending'], [0, 'pending']])

    assert.throws(() => store.transfers.recordProgress('t-prog', 99, [{ index: 2, bytesDone: 9 }, { index: 7, bytesDone: 1 }]),
      { name: 'TransferNotFoundError' })
    assert.equal(store.transfers.get('t-prog')?.transferredBytes, 15)
    assert.equal(store.transfers.files('t-prog')[2]?.bytesDone, 0)
    store.close()
  })

  test('fileDone stores hash, final path and state; verified sets bytesDone to the size', () => {
    const { store } = fakeClockStore()
    store.transfers.create(transferInput('t-fd', { direction: 'receive', destDir: '/dl' }))
    store.transfers.fileDone('t-fd', 1, { sha256: 'ab'.repeat(32), localPath: '/dl/b/c.txt', state: 'verified' })
    store.transfers.fileDone('t-fd', 2, { state: 'failed' })
    const [a, b, d] = store.transfers.files('t-fd')
    assert.deepEqual(a, { transferId: 't-fd', index: 0, relPath: 'a.txt', size: 10, bytesDone: 0, state: 'pending' })
    assert.deepEqual(b, { transferId: 't-fd', index: 1, relPath: 'b/c.txt', size: 10, bytesDone: 10, sha256: 'ab'.repeat(32), localPath: '/dl/b/c.txt', state: 'verified' })
    assert.equal(d?.state, 'failed')
    assert.equal(d?.bytesDone, 0)
    assert.throws(() => store.transfers.fileDone('t-fd', 3, { state: 'verified' }), { name: 'TransferNotFoundError' })
    store.close()
  })

  test('update sets only the given connection details', () => {
    const { store } = fakeClockStore()
    store.transfers.create(transferInput('t-up', { transport: 'tcp' }))
    const rec = store.transfers.update('t-up', { remoteAddr: '/ip4/10.0.0.2/tcp/4001' })
    assert.equal(rec.transport, 'tcp')
    assert.equal(rec.remoteAddr, '/ip4/10.0.0.2/tcp/4001')
    assert.equal(store.transfers.update('t-up', { transport: 'webrtc', destDir: '/dl' }).destDir, '/dl')
    assert.equal(store.transfers.get('t-up')?.transport, 'webrtc')
    store.close()
  })

  test('list returns newest first and filters by peer ID and direction, with a limit', () => {
    const { store, clock } = fakeClockStore()
    const make = (id: string, t: number, peerId: string, direction: 'send' | 'receive'): void => {
      clock.t = t
      store.transfers.create(transferInput(id, { peerId, direction }))
    }
    make('1', 100, 'A', 'send'); make('2', 200, 'B', 'receive'); make('3', 300, 'A', 'receive'); make('4', 300, 'A', 'send')
    const ids = (xs: { id: string }[]): string[] => xs.map(x => x.id)
    assert.deepEqual(ids(store.transfers.list()), ['4', '3', '2', '1'])
    assert.deepEqual(ids(store.transfers.list({ peerId: 'A' })), ['4', '3', '1'])
    assert.deepEqual(ids(store.transfers.list({ peerId: 'A', direction: 'receive' })), ['3'])
    assert.deepEqual(ids(store.transfers.list({ direction: 'receive' })), ['3', '2'])
    assert.deepEqual(ids(store.transfers.list({ limit: 2 })), ['4', '3'])
    store.close()
  })

  test('deleting a transfer row cascades to its files (foreign keys are on)', () => {
    const { store, file } = fakeClockStore()
    store.transfers.create(transferInput('t-del'))
    store.transfers.create(transferInput('t-keep'))
    const count = (): unknown => inspect(file, db => db.prepare('SELECT count(*) FROM transfer_files WHERE transfer_id = ?').pluck().get('t-del'))
    assert.equal(count(), 3)
    assert.equal(store.transfers.remove('t-del'), true)
    assert.equal(count(), 0)
    assert.equal(store.transfers.get('t-del'), undefined)
    assert.equal(store.transfers.files('t-keep').length, 3)
    assert.equal(store.transfers.remove('t-del'), false)
    store.close()
  })
})

describe('ProgressWriter', () => {
  test('1000 updates within the interval cause at most one write; the row shows the first value or nothing until flush', () => {
    const { store } = fakeClockStore()
    store.transfers.create(transferInput('t-pw', { totalBytes: 1_000_000, fileCount: 1, files: [{ relPath: 'big', size: 1_000_000 }] }))
    let writes = 0
    const counting = {
      transfers: {
        recordProgress: (...args: Parameters<Store['transfers']['recordProgress']>) => {
          writes++
          store.transfers.recordProgress(...args)
        }
      }
    }
    const writer = new ProgressWriter(counting, 't-pw', { intervalMs: 10_000 })
    for (let i = 1; i <= 1000; i++) writer.update(i * 100, 0, i * 100)

    assert.ok(writes <= 1, `${writes} writes`)
    const before = store.transfers.get('t-pw')?.transferredBytes
    assert.ok(before === 0 || before === 100, `row shows ${before}`)
    assert.ok([0, 100].includes(store.transfers.files('t-pw')[0]?.bytesDone ?? -1))

    writer.flush()
    assert.equal(writes, before === 0 ? 1 : 2)
    assert.equal(store.transfers.get('t-pw')?.transferredBytes, 100_000)
    assert.equal(store.transfers.files('t-pw')[0]?.bytesDone, 100_000)
    writer.flush() // nothing new: no write
    assert.equal(writes, before === 0 ? 1 : 2)
    store.close()
  })

  test('once the interval has passed an update writes, keeping the final bytes of every file touched in between', () => {
    const { store } = fakeClockStore()
    store.transfers.create(transferInput('t-pw2'))
    const clock = { t: 0 }
    const writer = new ProgressWriter(store, 't-pw2', { intervalMs: 500, now: () => clock.t })
    writer.update(1, 0, 1) // first update writes
    assert.equal(store.transfers.get('t-pw2')?.transferredBytes, 1)
    clock.t = 100
    writer.update(10, 0, 10)
    writer.update(15, 1, 5)
    assert.equal(store.transfers.get('t-pw2')?.transferredBytes, 1)
    clock.t = 500
    writer.update(20, 1, 10)
    assert.equal(store.transfers.get('t-pw2')?.transferredBytes, 20)
    assert.deepEqual(store.transfers.files('t-pw2').map(f => f.bytesDone), [10, 10, 0])
    store.close()
  })
})

describe('contacts', () => {
  test('upsert, rename, trust, block and touchSeen round trip through a reopen', () => {
    const clock = { t: 1_000 }
    const file = newDbPath()
    let store = openStore(file, { now: () => clock.t })
    const added = store.contacts.upsert({ peerId: 'P1', name: 'Alice', addrs: ['/ip4/1.2.3.4/tcp/1'] })
    assert.deepEqual(added, { peerId: 'P1', name: 'Alice', addedAt: 1_000, addrs: ['/ip4/1.2.3.4/tcp/1'], trusted: false, blocked: false })

    clock.t = 2_000
    store.contacts.setTrusted('P1', true)
    const re = store.contacts.upsert({ peerId: 'P1', name: 'Alice L.' })
    assert.deepEqual(re, { ...added, name: 'Alice L.', trusted: true })
    assert.equal(store.contacts.rename('P1', 'Al').name, 'Al')
    assert.equal(store.contacts.setBlocked('P1', true).blocked, true)
    assert.equal(store.contacts.touchSeen('P1', 3_000, ['/ip4/5.6.7.8/udp/2/webrtc-direct', '/ip4/1.2.3.4/tcp/1']), true)
    assert.equal(store.contacts.touchSeen('nobody', 3_000, ['/ip4/9.9.9.9/tcp/1']), false)
    store.contacts.upsert({ peerId: 'P0', name: 'bob' })
    store.close()

    store = openStore(file)
    assert.deepEqual(store.contacts.get('P1'), {
      peerId: 'P1', name: 'Al', addedAt: 1_000, lastSeenAt: 3_000,
      addrs: ['/ip4/5.6.7.8/udp/2/webrtc-direct', '/ip4/1.2.3.4/tcp/1'], trusted: true, blocked: true
    })
    assert.deepEqual(store.contacts.list().map(c => c.name), ['Al', 'bob'])
    assert.equal(store.contacts.setTrusted('P1', false).trusted, false)
    assert.equal(store.contacts.setBlocked('P1', false).blocked, false)
    assert.equal(store.contacts.get('nobody'), undefined)
    assert.throws(() => store.contacts.rename('nobody', 'x'), { name: 'ContactNotFoundError', code: 'contact-not-found' })
    assert.equal(store.contacts.remove('P1'), true)
    assert.equal(store.contacts.get('P1'), undefined)
    assert.equal(store.contacts.remove('P1'), false)
    store.close()
  })
})

describe('settings', () => {
  test('JSON values round trip through a reopen; delete unsets; a value with no JSON form is refused', () => {
    const file = newDbPath()
    let store = openStore(file)
    const value = { downloadDir: '/home/me/Downloads', ports: [4001, 4002], relay: { enabled: true, addr: null } }
    store.settings.set('prefs', value)
    store.settings.set('count', 0)
    store.settings.set('name', 'laptop')
    store.settings.set('name', 'desk')
    store.close()

    store = openStore(file)
    assert.deepEqual(store.settings.get('prefs'), value)
    assert.equal(store.settings.get<number>('count'), 0)
    assert.equal(store.settings.get('name'), 'desk')
    assert.equal(store.settings.get('missing'), undefined)
    assert.equal(store.settings.delete('name'), true)
    assert.equal(store.settings.get('name'), undefined)
    assert.equal(store.settings.delete('name'), false)
    assert.throws(() => store.settings.set('bad', undefined), { name: 'SettingValueError', code: 'setting-not-serializable' })
    assert.throws(() => store.settings.set('bad', 1n), { name: 'SettingValueError' })
    assert.equal(store.settings.get('bad'), undefined)
    store.close()
  })
})
