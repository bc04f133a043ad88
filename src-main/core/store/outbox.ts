/**
 * The outbox repository: sends queued for a contact who is offline, one row per entry in `outbox` and one per file in
 * `outbox_files` (migration 7). Files are kept by reference, with what they were when queued; a text snippet by value.
 * Every statement is prepared once, when the repository is created.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { MAX_OUTBOX_PER_PEER, MAX_OUTBOX_TOTAL } from './constants.ts'
import { OutboxFullError, TransferExistsError } from './errors.ts'

/** A file of an outbox entry, as it was when queued. */
export interface OutboxFile {
  /** The `/`-separated path it gets in the transfer. */
  relPath: string
  /** Where it is on this device (absolute). */
  absPath: string
  /** Size when queued, bytes. */
  size: number
  /** Modification time when queued, ms since the epoch (fractional, as `fs.Stats.mtimeMs`). */
  mtimeMs: number
  /** SHA-256 (hex) of its first block (`BLOCK_BYTES`, or the whole file when shorter) when queued. */
  headSha256: string
}

/** A queued send. Times are ms since the epoch. */
export interface OutboxEntry {
  /** A UUID; the transfer's ID once it is offered. */
  id: string
  /** The contact it is for. */
  peerId: string
  kind: 'files' | 'text'
  /** The snippet, for kind `text`. */
  text?: string
  /** Bytes: the files' sizes, or the snippet's UTF-8 length. */
  totalBytes: number
  fileCount: number
  createdAt: number
}

/** What {@link OutboxRepository.add} takes. */
export interface NewOutboxEntry {
  id: string
  peerId: string
  /** The snippet; give either `text` or `files`. */
  text?: string
  files?: OutboxFile[]
}

/** Queued sends. */
export interface OutboxRepository {
  /**
   * Stores an entry and its files (indexes 0…n-1 in array order) in one SQLite transaction.
   * @throws {OutboxFullError} `outbox-full`: {@link MAX_OUTBOX_PER_PEER} entries for `peerId` or
   *   {@link MAX_OUTBOX_TOTAL} in all are stored already (nothing is written)
   * @throws {TransferExistsError} an entry with `entry.id` is stored already
   */
  add (entry: NewOutboxEntry): OutboxEntry
  /** The entry, or `undefined`. */
  get (id: string): OutboxEntry | undefined
  /** The files of an entry, by index; `[]` for a text snippet or an unknown ID. */
  files (id: string): OutboxFile[]
  /** Entries oldest first, all or those for `peerId`. */
  list (peerId?: string): OutboxEntry[]
  /** Deletes an entry and its files. Returns whether it existed. */
  remove (id: string): boolean
}

interface OutboxRow {
  id: string
  peer_id: string
  kind: 'files' | 'text'
  text: string | null
  total_bytes: number
  file_count: number
  created_at: number
}

interface OutboxFileRow { rel_path: string, abs_path: string, size: number, mtime_ms: number, head_sha256: string }

function toEntry (row: OutboxRow): OutboxEntry {
  const entry: OutboxEntry = { id: row.id, peerId: row.peer_id, kind: row.kind, totalBytes: row.total_bytes, fileCount: row.file_count, createdAt: row.created_at }
  if (row.text != null) entry.text = row.text
  return entry
}

/** Builds the repository on an open, migrated database. `now` returns ms since the epoch. */
export function createOutboxRepository (db: BetterSqlite3.Database, now: () => number): OutboxRepository {
  const insertEntry = db.prepare(`
    INSERT INTO outbox (id, peer_id, kind, text, total_bytes, file_count, created_at)
    VALUES (@id, @peerId, @kind, @text, @totalBytes, @fileCount, @now)`)
  const insertFile = db.prepare<[string, number, string, string, number, number, string]>(
    'INSERT INTO outbox_files (entry_id, idx, rel_path, abs_path, size, mtime_ms, head_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)')
  const selectEntry = db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE id = ?')
  const selectFiles = db.prepare<[string], OutboxFileRow>('SELECT * FROM outbox_files WHERE entry_id = ? ORDER BY idx')
  const selectAll = db.prepare<[], OutboxRow>('SELECT * FROM outbox ORDER BY created_at, rowid')
  const selectOfPeer = db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE peer_id = ? ORDER BY created_at, rowid')
  const countAll = db.prepare<[], number>('SELECT COUNT(*) FROM outbox').pluck()
  const countOfPeer = db.prepare<[string], number>('SELECT COUNT(*) FROM outbox WHERE peer_id = ?').pluck()
  const deleteEntry = db.prepare<[string]>('DELETE FROM outbox WHERE id = ?')

  const add = db.transaction((entry: NewOutboxEntry): void => {
    if ((countOfPeer.get(entry.peerId) ?? 0) >= MAX_OUTBOX_PER_PEER) throw new OutboxFullError('peer', MAX_OUTBOX_PER_PEER)
    if ((countAll.get() ?? 0) >= MAX_OUTBOX_TOTAL) throw new OutboxFullError('total', MAX_OUTBOX_TOTAL)
    if (selectEntry.get(entry.id) != null) throw new TransferExistsError(entry.id)
    const files = entry.files ?? []
    insertEntry.run({
      id: entry.id,
      peerId: entry.peerId,
      kind: entry.text == null ? 'files' : 'text',
      text: entry.text ?? null,
      totalBytes: entry.text == null ? files.reduce((n, f) => n + f.size, 0) : Buffer.byteLength(entry.text, 'utf8'),
      fileCount: files.length,
      now: now()
    })
    files.forEach((f, i) => insertFile.run(entry.id, i, f.relPath, f.absPath, f.size, f.mtimeMs, f.headSha256))
  })

  return {
    add (entry) {
      add.immediate(entry)
      return toEntry(selectEntry.get(entry.id)!)
    },
    get (id) {
      const row = selectEntry.get(id)
      return row == null ? undefined : toEntry(row)
    },
    files (id) {
      return selectFiles.all(id).map(r => ({ relPath: r.rel_path, absPath: r.abs_path, size: r.size, mtimeMs: r.mtime_ms, headSha256: r.head_sha256 }))
    },
    list (peerId) {
      return (peerId == null ? selectAll.all() : selectOfPeer.all(peerId)).map(toEntry)
    },
    remove (id) {
      return deleteEntry.run(id).changes > 0
    }
  }
}
