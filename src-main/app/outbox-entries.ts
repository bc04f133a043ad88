/**
 * Outbox entries, as every host queues and checks them: a send to a contact who is offline is stored in SQLite (the
 * store's `outbox`; files by reference, each stamped with its size, modification time and first block's SHA-256 —
 * the core's `stampSource` — and a text snippet by value), and before it is offered each file is checked against its
 * stamp, so a file changed or deleted meanwhile is reported (`outbox-stale`, reason `file-changed` / `file-gone`)
 * and recorded as a failed send in the history, never sent stale. The app service delivers entries in the background
 * (./outbox.ts); `ferry send --queue` waits for its own (./send-queued.ts).
 */
import { randomUUID } from 'node:crypto'
import { FerryError, sourceChange, stampSource } from '../core/index.ts'
import type { FailureReason, LocalFile } from '../core/index.ts'
import type { OutboxEntry, OutboxFile, Store } from '../core/store/index.ts'
import { validateFileList } from '../core/paths/index.ts'
import { TransferError, textProblem } from '../core/protocol/index.ts'

/** A queued file changed or vanished since it was queued: nothing of the entry is sent. */
export class OutboxStaleError extends FerryError {
  static override name = 'OutboxStaleError'
  /** `file-gone`, `file-changed`, `permission-denied` or `other`. */
  readonly reason: FailureReason
  /** The file's path in the transfer (never its local path). */
  readonly relPath: string

  constructor (relPath: string, reason: FailureReason) {
    super('outbox-stale', `${relPath} ${reason === 'file-gone' ? 'is gone' : 'changed'} since it was queued; nothing was sent`)
    this.reason = reason
    this.relPath = relPath
  }
}

/** What to queue: checked files (the app's `checkLocalFiles`, or the core's `collectFiles`), or a text snippet. */
export type QueuedWhat = { files: LocalFile[], text?: undefined } | { text: string, files?: undefined }

/**
 * Queues `what` for `peerId` (the caller resolved and checked the recipient: a contact, not blocked) and returns the
 * entry. The same files (same local paths, unchanged since) or the same text already queued for that contact is
 * that entry again, not a second one — so `ferry send --queue` run again after Ctrl-C waits for the same entry.
 * @throws {OutboxFullError} `outbox-full` over the store's bounds; {@link SourcePathError} when a file cannot be read;
 *   `TransferError` `invalid-offer` for text a send would refuse (empty, not well-formed, over 1 MiB); `UnsafePathError`
 *   for a file list a send would refuse (colliding or unsafe paths) — checked now, not when the contact comes online
 */
export async function queueSend (store: Store, peerId: string, what: QueuedWhat, signal?: AbortSignal): Promise<OutboxEntry> {
  if (what.text != null) {
    const problem = what.text.length === 0 ? 'The text is empty' : textProblem(what.text)
    if (problem != null) throw new TransferError('invalid-offer', problem)
  } else {
    validateFileList(what.files.map(f => f.relPath))
  }
  if (what.text != null) {
    const same = store.outbox.list(peerId).find(e => e.kind === 'text' && e.text === what.text)
    return same ?? store.outbox.add({ id: randomUUID(), peerId, text: what.text })
  }
  const files: OutboxFile[] = []
  for (const f of what.files) files.push({ relPath: f.relPath, absPath: f.absPath, ...await stampSource(f, signal) })
  const key = (list: OutboxFile[]): string => JSON.stringify(list.map(f => [f.relPath, f.absPath, f.size, f.mtimeMs, f.headSha256]))
  const same = store.outbox.list(peerId).find(e => e.kind === 'files' && key(store.outbox.files(e.id)) === key(files))
  return same ?? store.outbox.add({ id: randomUUID(), peerId, files })
}

/**
 * Checks queued entry `id` against what its files were when queued, and returns what to send.
 * @throws {OutboxStaleError} `outbox-stale` with the first file that changed or vanished
 * @throws {FerryError} `not-found` when the entry is no longer queued (cancelled)
 */
export async function checkQueued (store: Store, id: string, signal?: AbortSignal): Promise<{ entry: OutboxEntry } & QueuedWhat> {
  const entry = store.outbox.get(id)
  if (entry == null) throw new FerryError('not-found', 'This send is no longer in the outbox')
  if (entry.kind === 'text') return { entry, text: entry.text ?? '' }
  const files = store.outbox.files(id)
  for (const f of files) {
    const reason = await sourceChange(f, f, signal)
    if (reason != null) throw new OutboxStaleError(f.relPath, reason)
  }
  return { entry, files: files.map(f => ({ relPath: f.relPath, absPath: f.absPath, size: f.size })) }
}

/**
 * Ends queued entry `id` as a failed send in the history (code `outbox-stale` and its reason; its files listed,
 * nothing sent) and removes it from the outbox. Returns the record, or undefined when the entry is gone.
 */
export function recordStale (store: Store, id: string, err: OutboxStaleError): ReturnType<Store['transfers']['get']> {
  const entry = store.outbox.get(id)
  if (entry == null) return undefined
  const files = store.outbox.files(id)
  store.transfers.create({
    id, direction: 'send', peerId: entry.peerId, state: 'failed', totalBytes: entry.totalBytes, fileCount: entry.fileCount,
    files: files.map(f => ({ relPath: f.relPath, size: f.size, localPath: f.absPath }))
  })
  const record = store.transfers.setState(id, 'failed', { code: err.code, reason: err.reason, message: err.message })
  store.outbox.remove(id)
  return record
}
