/**
 * Opening the store: the SQLite connection, its pragmas, schema migrations, and the repositories built on it.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type BetterSqlite3 from 'better-sqlite3'
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenPrivateFiles } from '../config/index.ts'
import { BUSY_TIMEOUT_MS } from './constants.ts'
import { createContactRepository } from './contacts.ts'
import type { ContactRepository } from './contacts.ts'
import { StoreVersionError } from './errors.ts'
import { MIGRATIONS } from './migrations.ts'
import { createOutboxRepository } from './outbox.ts'
import type { OutboxRepository } from './outbox.ts'
import { createSettingsRepository } from './settings.ts'
import type { SettingsRepository } from './settings.ts'
import { createTransferRepository } from './transfers.ts'
import type { TransferRepository } from './transfers.ts'

/** An open store. Use it from one thread; close it when done. */
export interface Store {
  /** The database file it was opened on. */
  readonly file: string
  readonly transfers: TransferRepository
  readonly contacts: ContactRepository
  readonly settings: SettingsRepository
  /** Sends queued for contacts who are offline. */
  readonly outbox: OutboxRepository
  /** Closes the database connection. Using the store afterwards throws. Calling it twice is harmless. */
  close (): void
}

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Clock for every timestamp the store writes, ms since the epoch. Default `Date.now`. */
  now?: () => number
}

/**
 * Opens (creating if needed, with its parent folders) the SQLite database at `file` and brings its schema up to
 * date. The connection uses WAL journaling, enforced foreign keys, a {@link BUSY_TIMEOUT_MS} ms busy timeout and
 * `synchronous = NORMAL`. The history is private (docs/THREAT-MODEL.md, "A local attacker"): the folder holding the
 * file is made 0700 and the database files (`file`, `-wal`, `-shm`) 0600, whoever created them and with what mode —
 * the file is created 0600 before SQLite opens it, and SQLite gives its `-wal` and `-shm` the mode of the database.
 * @throws {StoreVersionError} the file was written by a newer Ferry (schema version above {@link MIGRATIONS}).
 * Errors of `fs.mkdirSync` and better-sqlite3 (unreadable or corrupt file) are thrown as they are.
 */
export function openStore (file: string, options: OpenStoreOptions = {}): Store {
  const now = options.now ?? Date.now
  ensurePrivateDir(path.dirname(path.resolve(file)))
  const files = [file, `${file}-wal`, `${file}-shm`]
  fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, PRIVATE_FILE_MODE))
  tightenPrivateFiles(files)
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    tightenPrivateFiles(files)
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    db.pragma('synchronous = NORMAL')
    migrate(db, file)
    return {
      file,
      transfers: createTransferRepository(db, now),
      contacts: createContactRepository(db, now),
      settings: createSettingsRepository(db),
      outbox: createOutboxRepository(db, now),
      close () {
        if (db.open) db.close()
      }
    }
  } catch (err) {
    db.close()
    throw err
  }
}

/** `PRAGMA user_version`: how many migrations the database has run. */
function userVersion (db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Runs the migrations the database has not run yet, each in its own `BEGIN IMMEDIATE` transaction that also bumps
 * `user_version`. The version is re-read inside the transaction, so two processes opening the same file at once
 * do not run a migration twice.
 */
function migrate (db: BetterSqlite3.Database, file: string): void {
  const check = (version: number): void => {
    if (version > MIGRATIONS.length) throw new StoreVersionError(file, version, MIGRATIONS.length)
  }
  check(userVersion(db))
  const step = db.transaction((target: number): void => {
    const version = userVersion(db)
    check(version)
    if (version >= target) return
    db.exec(MIGRATIONS[version]!)
    db.pragma(`user_version = ${version + 1}`)
  })
  for (let target = userVersion(db) + 1; target <= MIGRATIONS.length; target++) step.immediate(target)
}
