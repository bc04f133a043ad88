/**
 * The transfer repository: one row per transfer in `transfers`, one row per file in `transfer_files`.
 * Every statement is prepared once, when the repository is created.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { TERMINAL_STATES, UNFINISHED_STATES } from './constants.ts'
import { TransferExistsError, TransferNotFoundError } from './errors.ts'
import { toTransfer, toTransferFile } from './rows.ts'
import type { TransferFileRow, TransferRow } from './rows.ts'
import type {
  FileOutcome, FileProgress, ListTransfersOptions, NewTransfer, TransferErrorInfo, TransferFileRecord, TransferPatch,
  TransferRecord, TransferState
} from './types.ts'

/** Transfers and their files. All times are ms since the epoch, taken from the store's clock. */
export interface TransferRepository {
  /**
   * Stores a transfer and its files (indexes 0…n-1 in array order) in one SQLite transaction; 10,000 files take
   * milliseconds. Creating a transfer in a terminal state sets `finishedAt`.
   * @throws {TransferExistsError} a transfer with `rec.id` is already stored (nothing is written).
   */
  create (rec: NewTransfer): TransferRecord
  /** The transfer, or `undefined` if there is none with this ID. */
  get (id: string): TransferRecord | undefined
  /** The files of a transfer, ordered by index; `[]` for an unknown ID. */
  files (id: string): TransferFileRecord[]
  /**
   * Moves a transfer to `state`. A terminal state (completed, declined, failed, interrupted, cancelled) sets
   * `finishedAt` to now; any other state clears it (a resumed transfer is not finished). `error` is stored as the
   * reason for the new state; without it any earlier reason is cleared.
   * @throws {TransferNotFoundError}
   */
  setState (id: string, state: TransferState, error?: TransferErrorInfo): TransferRecord
  /**
   * Sets the given connection details; absent fields keep their value.
   * @throws {TransferNotFoundError}
   */
  update (id: string, patch: TransferPatch): TransferRecord
  /**
   * Stores the transfer's total `transferredBytes` (bytes) and the `bytesDone` (and optionally `state`) of the
   * listed files, in one transaction.
   * @throws {TransferNotFoundError} unknown transfer, or a listed file index it does not have (nothing is written).
   */
  recordProgress (id: string, transferredBytes: number, files: FileProgress[]): void
  /**
   * Records the outcome of one file. `verified` also sets `bytesDone` to the file's size.
   * @throws {TransferNotFoundError} unknown transfer or file index.
   */
  fileDone (id: string, index: number, outcome: FileOutcome): void
  /** Transfers newest first (by `createdAt`, then insertion order), optionally filtered and limited. */
  list (options?: ListTransfersOptions): TransferRecord[]
  /**
   * For start-up: transfers left offered, accepted or transferring (the process died mid-way) become
   * `interrupted` with `finishedAt` now. Returns how many changed.
   */
  markUnfinishedAsInterrupted (): number
  /** Deletes a transfer and (by cascade) its files. Returns whether it existed. */
  remove (id: string): boolean
}

const TERMINAL = new Set<TransferState>(TERMINAL_STATES)
const sqlList = (states: readonly string[]): string => states.map(s => `'${s}'`).join(', ')
/** A transfer's columns plus how many of its files the receiver did not accept (`skipped_files`). */
const TRANSFER_COLUMNS = "*, (SELECT COUNT(*) FROM transfer_files f WHERE f.transfer_id = transfers.id AND f.state = 'skipped') AS skipped_files"

/** Builds the repository on an open, migrated database. `now` returns ms since the epoch. */
export function createTransferRepository (db: BetterSqlite3.Database, now: () => number): TransferRepository {
  const insertTransfer = db.prepare(`
    INSERT INTO transfers (id, direction, peer_id, state, total_bytes, file_count, transport, remote_addr, dest_dir,
                           created_at, updated_at, finished_at, kind, text)
    VALUES (@id, @direction, @peerId, @state, @totalBytes, @fileCount, @transport, @remoteAddr, @destDir,
            @now, @now, @finishedAt, @kind, @text)`)
  const insertFile = db.prepare<[string, number, string, number, string | null]>(
    'INSERT INTO transfer_files (transfer_id, idx, rel_path, size, local_path) VALUES (?, ?, ?, ?, ?)')
  const selectTransfer = db.prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = ?`)
  const selectFiles = db.prepare<[string], TransferFileRow>(
    'SELECT * FROM transfer_files WHERE transfer_id = ? ORDER BY idx')
  const updateState = db.prepare(`
    UPDATE transfers SET state = @state, error_code = @errorCode, error_message = @errorMessage,
                         error_reason = @errorReason, error_peer_message = @errorPeerMessage,
                         updated_at = @now, finished_at = @finishedAt,
                         accepted_at = CASE WHEN @state = 'transferring' THEN COALESCE(accepted_at, @now) ELSE accepted_at END
    WHERE id = @id`)
  const updateDetails = db.prepare(`
    UPDATE transfers SET transport = COALESCE(@transport, transport), remote_addr = COALESCE(@remoteAddr, remote_addr),
                         dest_dir = COALESCE(@destDir, dest_dir), total_bytes = COALESCE(@totalBytes, total_bytes),
                         updated_at = @now
    WHERE id = @id`)
  const updateTransferred = db.prepare<[number, number, string]>(
    'UPDATE transfers SET transferred_bytes = ?, updated_at = ? WHERE id = ?')
  const touchTransfer = db.prepare<[number, string]>('UPDATE transfers SET updated_at = ? WHERE id = ?')
  const updateFileProgress = db.prepare(`
    UPDATE transfer_files SET bytes_done = @bytesDone, state = COALESCE(@state, state)
    WHERE transfer_id = @id AND idx = @index`)
  const updateFileOutcome = db.prepare(`
    UPDATE transfer_files SET sha256 = COALESCE(@sha256, sha256), local_path = COALESCE(@localPath, local_path),
                              state = @state, bytes_done = CASE WHEN @state = 'verified' THEN size ELSE bytes_done END
    WHERE transfer_id = @id AND idx = @index`)
  const selectAll = db.prepare<[number], TransferRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM transfers ORDER BY created_at DESC, rowid DESC LIMIT ?`)
  const selectByDirection = db.prepare<[string, number], TransferRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE direction = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`)
  const selectByPeer = db.prepare<{ peerId: string, direction: string | null, limit: number }, TransferRow>(`
    SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE peer_id = @peerId AND (@direction IS NULL OR direction = @direction)
    ORDER BY created_at DESC, rowid DESC LIMIT @limit`)
  const interruptUnfinished = db.prepare<[number, number]>(`
    UPDATE transfers SET state = 'interrupted', updated_at = ?, finished_at = ?
    WHERE state IN (${sqlList(UNFINISHED_STATES)})`)
  const deleteTransfer = db.prepare<[string]>('DELETE FROM transfers WHERE id = ?')

  function mustGet (id: string): TransferRecord {
    const row = selectTransfer.get(id)
    if (row === undefined) throw new TransferNotFoundError(id)
    return toTransfer(row)
  }

  const createTx = db.transaction((rec: NewTransfer): void => {
    if (selectTransfer.get(rec.id) !== undefined) throw new TransferExistsError(rec.id)
    const t = now()
    insertTransfer.run({
      id: rec.id,
      direction: rec.direction,
      peerId: rec.peerId,
      state: rec.state,
      totalBytes: rec.totalBytes,
      fileCount: rec.fileCount,
      transport: rec.transport ?? null,
      remoteAddr: rec.remoteAddr ?? null,
      destDir: rec.destDir ?? null,
      now: t,
      finishedAt: TERMINAL.has(rec.state) ? t : null,
      kind: rec.kind ?? 'files',
      text: rec.text ?? null
    })
    for (let i = 0; i < rec.files.length; i++) {
      const f = rec.files[i]!
      insertFile.run(rec.id, i, f.relPath, f.size, f.localPath ?? null)
    }
  })

  const progressTx = db.transaction((id: string, transferredBytes: number, files: FileProgress[]): void => {
    if (updateTransferred.run(transferredBytes, now(), id).changes === 0) throw new TransferNotFoundError(id)
    for (const f of files) {
      const res = updateFileProgress.run({ id, index: f.index, bytesDone: f.bytesDone, state: f.state ?? null })
      if (res.changes === 0) throw new TransferNotFoundError(id, f.index)
    }
  })

  const fileDoneTx = db.transaction((id: string, index: number, outcome: FileOutcome): void => {
    if (touchTransfer.run(now(), id).changes === 0) throw new TransferNotFoundError(id)
    const res = updateFileOutcome.run({
      id, index, sha256: outcome.sha256 ?? null, localPath: outcome.localPath ?? null, state: outcome.state
    })
    if (res.changes === 0) throw new TransferNotFoundError(id, index)
  })

  return {
    create (rec) {
      createTx.immediate(rec)
      return mustGet(rec.id)
    },
    get (id) {
      const row = selectTransfer.get(id)
      return row === undefined ? undefined : toTransfer(row)
    },
    files (id) {
      return selectFiles.all(id).map(toTransferFile)
    },
    setState (id, state, error) {
      const t = now()
      const res = updateState.run({
        id,
        state,
        errorCode: error?.code ?? null,
        errorMessage: error?.message ?? null,
        errorReason: error?.reason ?? null,
        errorPeerMessage: error?.peerMessage ?? null,
        now: t,
        finishedAt: TERMINAL.has(state) ? t : null
      })
      if (res.changes === 0) throw new TransferNotFoundError(id)
      return mustGet(id)
    },
    update (id, patch) {
      const res = updateDetails.run({
        id,
        transport: patch.transport ?? null,
        remoteAddr: patch.remoteAddr ?? null,
        destDir: patch.destDir ?? null,
        totalBytes: patch.totalBytes ?? null,
        now: now()
      })
      if (res.changes === 0) throw new TransferNotFoundError(id)
      return mustGet(id)
    },
    recordProgress (id, transferredBytes, files) {
      progressTx.immediate(id, transferredBytes, files)
    },
    fileDone (id, index, outcome) {
      fileDoneTx.immediate(id, index, outcome)
    },
    list (options = {}) {
      const limit = options.limit ?? -1
      const rows = options.peerId !== undefined
        ? selectByPeer.all({ peerId: options.peerId, direction: options.direction ?? null, limit })
        : options.direction !== undefined
          ? selectByDirection.all(options.direction, limit)
          : selectAll.all(limit)
      return rows.map(toTransfer)
    },
    markUnfinishedAsInterrupted () {
      const t = now()
      return interruptUnfinished.run(t, t).changes
    },
    remove (id) {
      return deleteTransfer.run(id).changes > 0
    }
  }
}
