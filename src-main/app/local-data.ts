/**
 * This device's data without a running peer — its peer ID, its contacts, its history and its outbox — for what only
 * reads or edits them (`ferry contacts …`, `ferry history`, `ferry invite`, `ferry outbox`). SQLite allows this beside a running peer of the
 * same data directory: a running `ferry receive` sees a block made here within `BLOCK_CHECK_INTERVAL_MS`.
 */
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DATABASE_FILE, loadOrCreateIdentity } from '../core/index.ts'
import { openStore } from '../core/store/index.ts'
import type { Store } from '../core/store/index.ts'
import { ContactBook } from './contact-book.ts'
import { historyOf } from './history.ts'
import type { HistoryEntry, HistoryOptions } from './history.ts'

/**
 * This device's peer ID, from `<dataDir>/identity.key` (made, with the folder (0700), when there is none yet).
 * @throws the identity's errors (an unreadable or malformed key file)
 */
export async function localPeerId (dataDir: string): Promise<string> {
  return peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString()
}

/** An open data directory: see {@link withLocalData}. */
export interface LocalData {
  peerId: string
  contacts: ContactBook
  /** The recorded transfers, newest first. */
  history: (options?: HistoryOptions) => HistoryEntry[]
}

/**
 * Opens `dataDir` (identity and `ferry.db`, made when missing), runs `fn` on it, and closes it again, also when `fn`
 * throws.
 * @throws the errors of `fn`, of the identity, and of the store (`store-too-new` for a database from a newer Ferry)
 */
export async function withLocalData<T> (dataDir: string, fn: (data: LocalData) => T | Promise<T>): Promise<T> {
  const peerId = await localPeerId(dataDir)
  return withStore(dataDir, async store => fn({ peerId, contacts: new ContactBook(store, peerId), history: (options) => historyOf(store, options) }))
}

/**
 * The transfers recorded in `dataDir`, newest first ({@link historyOf}); reads the store only (no identity is made).
 * @throws the store's errors (`store-too-new` for a database from a newer Ferry)
 */
export async function readHistory (dataDir: string, options: HistoryOptions = {}): Promise<HistoryEntry[]> {
  return withStore(dataDir, store => historyOf(store, options))
}

/** A queued send as `ferry outbox list` shows it: the entry, its contact's name, and its files' paths and sizes. */
export interface OutboxListing {
  id: string
  peerId: string
  /** The contact's name, if it is still a contact. */
  contact?: string
  kind: 'files' | 'text'
  text?: string
  totalBytes: number
  fileCount: number
  createdAt: number
  files: Array<{ path: string, size: number }>
}

/**
 * The outbox of `dataDir` (sends queued for contacts who were offline), oldest first; reads the store only.
 * @throws the store's errors
 */
export async function readOutbox (dataDir: string): Promise<OutboxListing[]> {
  return withStore(dataDir, store => store.outbox.list().map(e => {
    const contact = store.contacts.get(e.peerId)?.name
    return { ...e, ...(contact == null ? {} : { contact }), files: store.outbox.files(e.id).map(f => ({ path: f.relPath, size: f.size })) }
  }))
}

/**
 * Removes queued send `id` from the outbox of `dataDir` (an app running on it finds it gone before it offers it).
 * Returns whether it was queued.
 * @throws the store's errors
 */
export async function cancelQueued (dataDir: string, id: string): Promise<boolean> {
  return withStore(dataDir, store => store.outbox.remove(id))
}

async function withStore<T> (dataDir: string, fn: (store: Store) => T | Promise<T>): Promise<T> {
  const store = openStore(join(dataDir, DATABASE_FILE))
  try {
    return await fn(store)
  } finally {
    store.close()
  }
}
