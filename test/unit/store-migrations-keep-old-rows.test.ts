/**
 * Invariant: every column a later migration adds reads as absent (or its default) on rows written before it, and
 * keeps what is written after it through a reopen — the kind of device of a contact (3), where a contact relays (5),
 * a transfer's kind and a text snippet's text (6). Real database files, migrated from the schema before each.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { MIGRATIONS, openStore } from '../../src-main/core/store/index.ts'
import { inspect, newDbPath, transferInput, useStoreDir } from './store-fixtures.ts'

useStoreDir()

describe('contacts: kind of device (migration 3)', () => {
  test('a contact stored before the device column keeps everything and reads with no kind; a kind is kept until replaced', () => {
    const file = newDbPath()
    // A database as the version before this migration left it: every migration but the last one run.
    fs.mkdirSync(path.dirname(file), { recursive: true })
    inspect(file, db => {
      for (const sql of MIGRATIONS.slice(0, MIGRATIONS.indexOf('ALTER TABLE contacts ADD COLUMN device TEXT;'))) db.exec(sql)
      db.pragma(`user_version = ${MIGRATIONS.indexOf('ALTER TABLE contacts ADD COLUMN device TEXT;')}`)
      db.prepare("INSERT INTO contacts (peer_id, name, added_at, addrs) VALUES ('P1', 'Alice', 5, '[]')").run()
    })
    const store = openStore(file)
    try {
      assert.deepEqual(store.contacts.get('P1'), { peerId: 'P1', name: 'Alice', addedAt: 5, addrs: [], trusted: false, blocked: false })
      assert.equal(store.contacts.upsert({ peerId: 'P1', name: 'Alice', device: 'laptop' }).device, 'laptop')
      assert.equal(store.contacts.upsert({ peerId: 'P1', name: 'Alice A.' }).device, 'laptop', 'an upsert without a kind keeps the stored one')
      assert.equal(store.contacts.upsert({ peerId: 'P1', name: 'Alice A.', device: 'server' }).device, 'server')
      assert.equal(store.contacts.upsert({ peerId: 'P2', name: 'Bob' }).device, undefined)
    } finally {
      store.close()
    }
    // A value this version does not know (a later version's, a hand edit) reads as unknown.
    inspect(file, db => db.prepare("UPDATE contacts SET device = 'toaster' WHERE peer_id = 'P1'").run())
    const again = openStore(file)
    try {
      assert.equal(again.contacts.get('P1')?.device, undefined)
      assert.equal(again.contacts.get('P1')?.name, 'Alice A.')
    } finally {
      again.close()
    }
  })
})

describe('contacts: where a contact relays (migration 5)', () => {
  test('a contact stored before the relay_addrs column reads with none; addresses are deduplicated, capped at 4, and cleared', () => {
    const file = newDbPath()
    const column = 'ALTER TABLE contacts ADD COLUMN relay_addrs TEXT;'
    assert.equal(MIGRATIONS.indexOf(column), 4, 'relay_addrs is migration 5 (after the error reasons)')
    // A database as the version before this migration left it (user_version 4).
    fs.mkdirSync(path.dirname(file), { recursive: true })
    inspect(file, db => {
      for (const sql of MIGRATIONS.slice(0, MIGRATIONS.indexOf(column))) db.exec(sql)
      db.pragma(`user_version = ${MIGRATIONS.indexOf(column)}`)
      db.prepare("INSERT INTO contacts (peer_id, name, added_at, addrs) VALUES ('P1', 'Carol', 5, '[]')").run()
    })
    const store = openStore(file)
    try {
      assert.equal(store.contacts.get('P1')?.relayAddrs, undefined)
      assert.equal(store.contacts.get('P1')?.name, 'Carol')
      const addrs = ['/ip4/1.2.3.4/tcp/1/p2p/P1', '/ip4/1.2.3.4/tcp/1/p2p/P1', ...[2, 3, 4, 5, 6].map(p => `/ip4/1.2.3.4/tcp/${p}/p2p/P1`)]
      assert.equal(store.contacts.setRelayAddrs('P1', addrs), true)
      assert.deepEqual(store.contacts.get('P1')?.relayAddrs, ['/ip4/1.2.3.4/tcp/1/p2p/P1', '/ip4/1.2.3.4/tcp/2/p2p/P1', '/ip4/1.2.3.4/tcp/3/p2p/P1', '/ip4/1.2.3.4/tcp/4/p2p/P1'])
      assert.equal(store.contacts.setRelayAddrs('P1', undefined), true)
      assert.equal(store.contacts.get('P1')?.relayAddrs, undefined)
      assert.equal(store.contacts.setRelayAddrs('nobody', ['/ip4/1.2.3.4/tcp/1/p2p/nobody']), false, 'not a contact: nothing written')
    } finally {
      store.close()
    }
    assert.equal(inspect(file, db => db.pragma('user_version', { simple: true })), MIGRATIONS.length)
  })
})

describe('transfers: kind and text (migration 6)', () => {
  test('a transfer stored before the kind column reads as files with no text; a text snippet keeps its text byte for byte', () => {
    const file = newDbPath()
    const before = MIGRATIONS.length - 1
    fs.mkdirSync(path.dirname(file), { recursive: true })
    inspect(file, db => {
      for (const sql of MIGRATIONS.slice(0, before)) db.exec(sql)
      db.pragma(`user_version = ${before}`)
      db.prepare("INSERT INTO transfers (id, direction, peer_id, state, total_bytes, file_count, created_at, updated_at) VALUES ('T1', 'receive', 'P1', 'completed', 3, 1, 5, 5)").run()
    })
    const store = openStore(file)
    try {
      const old = store.transfers.get('T1')
      assert.equal(old?.kind, 'files')
      assert.equal(old?.text, undefined)
      const text = 'hi \u202e\u0000 \u{1f600}'
      const rec = store.transfers.create(transferInput('T2', { kind: 'text', text, fileCount: 0, files: [], totalBytes: Buffer.byteLength(text) }))
      assert.equal(rec.kind, 'text')
      assert.equal(rec.text, text)
    } finally {
      store.close()
    }
  })
})
