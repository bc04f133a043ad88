/**
 * `ferry send --queue`: the outbox for a process that waits. The send is queued in the data directory's outbox
 * (./outbox-entries.ts; the same entry again when the same files or text are already queued for that contact), then
 * the process waits until presence sees the contact online, checks the files against what they were when queued, and
 * hands the entry back to ./send-once.ts to send with the entry's ID as the transfer's ID. A dial that fails while
 * presence still says online waits {@link QUEUED_RETRY_MS} ms (or the next change to online) and tries again. Stopped
 * before the connection is up (Ctrl-C), the entry stays in the outbox: the app (`ferry serve`, the desktop app) on the
 * same data directory delivers it, or the same command waits for it again.
 */
import { on } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import type { PresenceTracker } from '../core/contacts/index.ts'
import { collectFiles, FerryError } from '../core/index.ts'
import type { Peer } from '../core/index.ts'
import type { OutboxEntry } from '../core/store/index.ts'
import { checkQueued, OutboxStaleError, queueSend, recordStale } from './outbox-entries.ts'
import type { QueuedWhat } from './outbox-entries.ts'
import type { Recipient } from './recipients.ts'
import { t } from '../text/index.ts'

/** While the contact is online but a dial failed, the next try comes after this long, ms. */
export const QUEUED_RETRY_MS = 5_000

/** The recipient is not a contact: presence follows contacts only, so nothing could say when it comes online. */
export class NotAContactError extends FerryError {
  static override name = 'NotAContactError'
  constructor () {
    super('not-a-contact', t('app.outbox.notAContact'))
  }
}

/**
 * Queues `paths` (files and folders, as `ferry send` collects them) or `text` for `recipient` in the outbox.
 * @throws {NotAContactError} `not-a-contact`; {@link OutboxFullError} `outbox-full`; `source-unreadable` for a path
 */
export async function queueFor (peer: Peer, recipient: Recipient, what: { paths: string[], text?: string }, signal: AbortSignal): Promise<OutboxEntry> {
  const peerId = recipient.peerId
  if (peerId == null || peer.store.contacts.get(peerId) == null) throw new NotAContactError()
  const queued: QueuedWhat = what.text != null ? { text: what.text } : { files: (await collectFiles(what.paths, signal)).files }
  return queueSend(peer.store, peerId, queued, signal)
}

/**
 * Waits until `presence` sees `peerId` online (at once when it already does; after `retry`, at most
 * {@link QUEUED_RETRY_MS} ms more when it stays online), then checks entry `id` and returns what to send.
 * @throws {OutboxStaleError} `outbox-stale` (recorded as a failed send in the history and taken out of the outbox)
 * @throws {AbortedError} / the signal's reason when `signal` aborts
 */
export async function waitToDeliver (peer: Peer, presence: PresenceTracker, peerId: string, id: string, signal: AbortSignal, retry = false): Promise<QueuedWhat> {
  if (retry) await sleep(QUEUED_RETRY_MS, undefined, { signal })
  if (presence.get(peerId)?.online !== true) {
    const changes = on(presence, 'change', { signal })
    void presence.check(peerId).catch(() => {})
    for await (const [state] of changes as AsyncIterable<[{ peerId: string, online: boolean }]>) {
      if (state.peerId === peerId && state.online) break
    }
  }
  try {
    return await checkQueued(peer.store, id, signal)
  } catch (err) {
    if (err instanceof OutboxStaleError) recordStale(peer.store, id, err)
    throw err
  }
}
