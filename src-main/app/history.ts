/**
 * The transfer history every host lists: recorded transfers, newest first, optionally of one peer, with their files
 * when asked. The app's `listHistory` (./transfers-view.ts, which adds the transfers still running) and
 * `ferry history` both read it here.
 */
import type { Store, TransferFileRecord, TransferRecord } from '../core/store/index.ts'

/** Transfers listed when no limit is given. */
export const HISTORY_LIMIT = 100

/** One recorded transfer; `files` only when asked for. */
export interface HistoryEntry {
  record: TransferRecord
  files?: TransferFileRecord[]
}

/** Options of {@link historyOf}. */
export interface HistoryOptions {
  /** Only transfers with this peer. */
  peerId?: string
  /** At most this many (default {@link HISTORY_LIMIT}). */
  limit?: number
  /** Read each transfer's files too. */
  files?: boolean
}

/** The recorded transfers, newest first (see {@link HistoryOptions}). */
export function historyOf (store: Pick<Store, 'transfers'>, options: HistoryOptions = {}): HistoryEntry[] {
  const records = store.transfers.list({ peerId: options.peerId, limit: options.limit ?? HISTORY_LIMIT })
  return records.map(record => options.files === true ? { record, files: store.transfers.files(record.id) } : { record })
}
