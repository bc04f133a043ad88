/**
 * Ferry's persistence: one SQLite file (better-sqlite3, synchronous) holding the transfer history with the files of
 * each transfer, the contacts, and the settings.
 *
 * - {@link openStore} opens or creates the file, sets WAL journaling, foreign keys, a 5 s busy timeout and
 *   `synchronous = NORMAL`, and runs the numbered {@link MIGRATIONS} it has not run yet (tracked in
 *   `PRAGMA user_version`). A file from a newer Ferry is refused with {@link StoreVersionError} (`store-too-new`).
 * - `store.transfers` stores transfers and their files; `store.contacts` peers by peer ID; `store.settings` JSON
 *   values by key. Statements are prepared once per store.
 * - {@link ProgressWriter} persists a running transfer's progress at most once per interval.
 * - At start-up call `store.transfers.markUnfinishedAsInterrupted()`: transfers the last run left in flight did not
 *   finish.
 *
 * Times are ms since the Unix epoch; sizes are bytes. Absent values are absent properties, never `null`.
 *
 * @example
 * ```ts
 * import { openStore, ProgressWriter } from './core/store/index.ts'
 *
 * const store = openStore(path.join(dataDir, 'ferry.db'))
 * store.transfers.markUnfinishedAsInterrupted()
 * const t = store.transfers.create({
 *   id: offerId, direction: 'send', peerId, state: 'offered', totalBytes: 3072, fileCount: 2,
 *   files: [{ relPath: 'a.txt', size: 1024, localPath: '/home/me/a.txt' }, { relPath: 'b/c.bin', size: 2048 }]
 * })
 * store.transfers.setState(t.id, 'transferring')
 * const progress = new ProgressWriter(store, t.id)
 * progress.update(512, 0, 512)                  // written at most every 500 ms
 * progress.flush()
 * store.transfers.fileDone(t.id, 0, { sha256, state: 'verified' })
 * store.transfers.setState(t.id, 'failed', { code: 'hash-mismatch', message: 'b/c.bin did not verify' })
 * store.close()
 * ```
 */
export { openStore } from './store.ts'
export type { OpenStoreOptions, Store } from './store.ts'
export type { TransferRepository } from './transfers.ts'
export type { ContactRepository } from './contacts.ts'
export type { SettingsRepository } from './settings.ts'
export type { NewOutboxEntry, OutboxEntry, OutboxFile, OutboxRepository } from './outbox.ts'
export { ProgressWriter } from './progress.ts'
export type { ProgressSink, ProgressWriterOptions } from './progress.ts'
export { MIGRATIONS } from './migrations.ts'
export {
  MAX_CONTACT_ADDRS, MAX_OUTBOX_PER_PEER, MAX_OUTBOX_TOTAL, TERMINAL_STATES
} from './constants.ts'
export {
  OutboxFullError, TransferExistsError
} from './errors.ts'
export type {
  Contact, ContactInput, FileOutcome, FileProgress, ListTransfersOptions, NewTransfer, NewTransferFile,
  TransferDirection, TransferErrorInfo, TransferFileRecord, TransferFileState, TransferPatch, TransferRecord,
  TransferState
} from './types.ts'
