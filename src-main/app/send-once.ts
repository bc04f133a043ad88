/**
 * One send from start to end, as `ferry send --to <recipient>… PATH…` runs it: a peer that only sends (it accepts no
 * transfer and announces nothing; LAN discovery only to find a peer ID or contact), the files and folders listed once
 * (with their structure), and for each recipient — in parallel, a transfer each — the recipient resolved and checked
 * (./recipients.ts: refused before anything is dialled when it is a blocked contact), its route, the send, and the
 * contact recorded as seen on connect; then the peer stopped again. The sends of one run read each block of the files
 * once where they keep up with each other (the core's `SharedReads`), and share the run's upload limit. With `queue`
 * (`ferry send --queue`, one recipient) the send first waits in the outbox until presence sees the contact online
 * (./send-queued.ts).
 */
import { ConfigError, collectFiles, SharedReads } from '../core/index.ts'
import type { ConnectionInfo, LocalFile, Peer, TransferProgress, TransferResult } from '../core/index.ts'
import { validateFileList } from '../core/paths/index.ts'
import { describePath } from './path-words.ts'
import type { WordedPath } from './path-words.ts'
import { startPeerSession } from './peer-session.ts'
import type { PeerSession, PeerSessionInit } from './peer-session.ts'
import type { QueuedWhat } from './outbox-entries.ts'
import { queueFor, waitToDeliver } from './send-queued.ts'
import { addressOf, checkRecipient, recordConnected, resolveRecipient, routeTo } from './recipients.ts'
import type { RecipientRoute } from './recipients.ts'

/** What happens during the send to one recipient of {@link sendEach} ({@link SendEachInit.on}), as it happens. */
export interface SendOnceEvents {
  /** The peer has started; routing and dialling begin now. */
  started?: () => void
  /**
   * The route to a recipient named by peer ID or contact (not called for a multiaddr); `relay` names the contact whose
   * Ferry relays, with `via: 'contact-relay'`.
   */
  route?: (route: RecipientRoute & { peerId: string, contact: string | null }) => void
  /** Connected: how (`info`), and the path the bytes take (`path`: direct, TURN, a contact's Ferry — named —, a relay). */
  connected?: (info: ConnectionInfo, path: WordedPath) => void
  retry?: (attempt: number, err: unknown) => void
  skipped?: (paths: string[]) => void
  interrupted?: (attempt: number, err: unknown) => void
  progress?: (progress: TransferProgress) => void
  resuming?: (resume: { transferId: string, skippedBytes: number }) => void
  /** With `queue`: the send is in the outbox (entry `id`, the transfer's ID once offered) and waits for the contact. */
  queued?: (entry: { id: string, peerId: string, contact: string }) => void
  /** The receiver confirmed every file (called before the peer stops). */
  complete?: (result: TransferResult) => void
}

/** Options of a send to one recipient (the base of {@link SendEachInit}). */
export interface SendOnceInit {
  /** Holds `identity.key` and `ferry.db`. */
  dataDir: string
  relays: string[]
  iceServers: string[]
  listen?: string[]
  /** LAN discovery (only used to find a recipient named by peer ID or contact). */
  mdns: boolean
  /** A contact's name, a peer ID, or a multiaddr (./recipients.ts). */
  to: string
  /** Files and folders to send (ignored when {@link SendOnceInit.text} is given). */
  paths: string[]
  /** A text snippet to send instead of files (docs/PROTOCOL.md §4 "offer", kind `text`; at most 1 MiB of UTF-8). */
  text?: string
  /**
   * Queue it in the outbox and wait until the contact (a contact only, and one recipient) comes online
   * (./send-queued.ts); Ctrl-C before the connection is up leaves it queued.
   */
  queue?: boolean
  /** With `queue`: presence checks of the contact (default: the contacts module's interval). */
  presence?: PeerSessionInit['presence']
  /** After the connection drops, keep trying to resume for this long, ms. */
  retryForMs: number
  /** Upload speed limit of the run (all its sends together), bytes per second; unset for none. */
  limitBytesPerSecond?: number
  signal: AbortSignal
  on?: SendOnceEvents
}

/** Options of {@link sendEach}: those of a send to one recipient, with several recipients. */
export interface SendEachInit extends Omit<SendOnceInit, 'to' | 'on'> {
  /** Each a contact's name, a peer ID, or a multiaddr ending in `/p2p/<peer ID>`; a repeated one counts once. */
  to: readonly string[]
  /** The events of the send to recipient `to` (`started` and `skipped` are called on the first recipient's). */
  on?: (to: string) => SendOnceEvents
}

/** How the send to one recipient of {@link sendEach} ended: its result, or what it threw. */
export type SendOutcome = { to: string, result: TransferResult, error?: undefined } | { to: string, error: unknown, result?: undefined }

/**
 * Sends `paths` (or `text`) to every recipient of `to` at once, a transfer each (see the module). A recipient that
 * cannot be resolved, is blocked, is offline or declines ends its own send only: every recipient gets its outcome.
 * @throws {ConfigError} (`invalid-config`) for a malformed multiaddr — before any peer is started
 * @throws the errors of listing the files (`SourcePathError`, `UnsafePathError`) — before anything is dialled
 * @throws {ConfigError} with `queue` and more than one recipient. With `queue`, the one recipient's outcome may also
 *   be `not-a-contact`, `outbox-full`, or `outbox-stale` (a queued file changed or vanished: recorded as a failed
 *   send, nothing sent)
 */
export async function sendEach (init: SendEachInit): Promise<SendOutcome[]> {
  const { signal } = init
  const recipients = [...new Set(init.to)]
  const addresses = recipients.map(addressOf)
  if (init.queue === true && recipients.length !== 1) throw new ConfigError('A queued send has one recipient (--queue with one --to)')
  const session = await startPeerSession({
    dataDir: init.dataDir,
    downloadDir: init.dataDir,
    relays: init.relays,
    iceServers: init.iceServers,
    listen: init.listen,
    mdns: addresses.some(a => a == null) && init.mdns,
    presence: init.queue === true ? init.presence ?? {} : false
  })
  const { peer } = session
  const events = recipients.map(to => init.on?.(to) ?? {})
  try {
    peer.transfers.setUploadLimit(init.limitBytesPerSecond)
    // Progress and resumes are the service's events: each goes to the recipient it is with (by peer ID).
    const byPeer = new Map<string, SendOnceEvents>()
    const eventsOf = (peerId: string): SendOnceEvents | undefined => recipients.length === 1 ? events[0] : byPeer.get(peerId)
    peer.transfers.on('progress', p => eventsOf(p.peerId)?.progress?.(p))
    peer.transfers.on('resuming', r => { if (r.direction === 'send') eventsOf(r.peerId)?.resuming?.(r) })
    for (const on of events) on.started?.()
    if (init.queue === true) {
      const to = recipients[0] as string
      try {
        return [{ to, result: await sendQueued(session, to, { ...init, on: events[0] ?? {} }) }]
      } catch (error) {
        return [{ to, error }]
      }
    }
    let files: LocalFile[] = []
    if (init.text == null) {
      const listed = await collectFiles(init.paths, signal)
      validateFileList(listed.files.map(f => f.relPath))
      if (listed.skipped.length > 0) events[0]?.skipped?.(listed.skipped)
      files = listed.files
    }
    const shared = new SharedReads(recipients.length)
    return await Promise.all(recipients.map(async (to, i): Promise<SendOutcome> => {
      const on = events[i] ?? {}
      try {
        return { to, result: await sendTo(peer, to, files, { ...init, on, sharedReads: shared, byPeer }) }
      } catch (error) {
        return { to, error }
      } finally {
        shared.leave()
      }
    }))
  } finally {
    await session.stop()
  }
}

/** The send of {@link sendEach} to one recipient. */
async function sendTo (peer: Peer, to: string, files: LocalFile[], init: Omit<SendEachInit, 'on' | 'to'> & { on: SendOnceEvents, sharedReads: SharedReads, byPeer: Map<string, SendOnceEvents> }): Promise<TransferResult> {
  const { on, signal } = init
  const recipient = resolveRecipient(peer.store, to)
  checkRecipient(recipient, peer.peerId)
  if (recipient.peerId != null) init.byPeer.set(recipient.peerId, on)
  const route = await routeTo(peer, recipient, init.relays, signal)
  if (recipient.addr == null && recipient.peerId != null) on.route?.({ ...route, peerId: recipient.peerId, contact: recipient.contact?.name ?? null })
  const options = {
    signal,
    onConnected: (info: ConnectionInfo) => {
      recordConnected(peer.store, recipient.peerId, info)
      on.connected?.(info, describePath(info, peer.store))
    },
    onRetry: on.retry,
    retryForMs: init.retryForMs,
    onInterrupted: on.interrupted,
    sharedReads: init.sharedReads
  }
  const result = init.text == null ? await peer.transfers.sendLocal(route.addr, files, options) : await peer.transfers.sendText(route.addr, init.text, options)
  on.complete?.(result)
  return result
}

/**
 * The send of {@link sendEach} with `queue`: queued in the outbox for the contact `to`, then offered each time presence
 * sees it online until the connection is up (a dial that fails before that waits for the contact again).
 */
async function sendQueued (session: PeerSession, to: string, init: Omit<SendEachInit, 'on' | 'to'> & { on: SendOnceEvents }): Promise<TransferResult> {
  const { on, signal } = init
  const { peer } = session
  const recipient = resolveRecipient(peer.store, to)
  checkRecipient(recipient, peer.peerId)
  const entry = await queueFor(peer, recipient, init, signal)
  on.queued?.({ id: entry.id, peerId: entry.peerId, contact: recipient.contact?.name ?? entry.peerId })
  let connected = false
  const deliver = async (what: QueuedWhat): Promise<TransferResult> => {
    const route = await routeTo(peer, recipient, init.relays, signal)
    if (recipient.addr == null && recipient.peerId != null) on.route?.({ ...route, peerId: recipient.peerId, contact: recipient.contact?.name ?? null })
    const options = {
      signal,
      transferId: entry.id,
      onConnected: (info: ConnectionInfo) => {
        connected = true
        peer.store.outbox.remove(entry.id)
        recordConnected(peer.store, recipient.peerId, info)
        on.connected?.(info, describePath(info, peer.store))
      },
      onRetry: on.retry,
      retryForMs: init.retryForMs,
      onInterrupted: on.interrupted
    }
    const result = what.files != null ? await peer.transfers.sendLocal(route.addr, what.files, options) : await peer.transfers.sendText(route.addr, what.text, options)
    on.complete?.(result)
    return result
  }
  const presence = session.presence
  if (presence == null) throw new ConfigError('A queued send needs presence checks of the contact')
  for (let attempt = 0; ; attempt++) {
    const what = await waitToDeliver(peer, presence, entry.peerId, entry.id, signal, attempt > 0)
    try {
      return await deliver(what)
    } catch (err) {
      if (connected || signal.aborted) throw err
    }
  }
}
