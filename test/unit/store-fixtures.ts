/**
 * Shared fixtures of the store tests: a temp folder of database files, a raw second connection to look at a file
 * behind the store's back, and a transfer to create.
 */
import { after, before } from 'node:test'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { NewTransfer } from '../../src-main/core/store/index.ts'

let dir = ''
let seq = 0
/** Registers the temp folder's creation and removal with the calling test file. */
export function useStoreDir (): void {
  before(async () => { dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ferry-store-')) })
  after(async () => { await fs.promises.rm(dir, { recursive: true, force: true }) })
}

/** A fresh database path inside a folder that does not exist yet. */
export const newDbPath = (): string => path.join(dir, `case-${seq++}`, 'nested', 'ferry.db')

/** A raw second connection, to look at the file behind the store's back. */
export function inspect<T> (file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file)
  try { return fn(db) } finally { db.close() }
}

/** A send of three files (30 bytes) as `transfers.create` takes it, with `over` replacing fields. */
export function transferInput (id: string, over: Partial<NewTransfer> = {}): NewTransfer {
  return {
    id,
    direction: 'send',
    peerId: '12D3KooWPeerA',
    state: 'offered',
    totalBytes: 30,
    fileCount: 3,
    files: [{ relPath: 'a.txt', size: 10 }, { relPath: 'b/c.txt', size: 10 }, { relPath: 'd.txt', size: 10 }],
    ...over
  }
}
