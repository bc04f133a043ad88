/**
 * One send from start to end, as `ferry send --to <recipient>… PATH…` runs it: a peer that only sends (it accepts no
 * transfer and announces nothing; LAN discovery only to find a peer ID or contact), the files and folders listed once
 * (with their structure), and for each recipient — in parallel, a transfer each — the recipient resolved and checked
 * (./recipients.ts: refused before anything is dialled when it is a blocked contact), its route, the send, and the
 * contact recorded as seen on connect; then the peer stopped again. The sends of one run read each block of the files
 * once where they keep up with each other (the core's `SharedReads`), and share the run's upload limit.
 */
import { collectFiles, SharedReads } from '../core/index.ts'
import type { ConnectionInfo, LocalFile, Peer, TransferProgress, TransferResult } from '../core/index.ts'
import { validateFileList } from '../core/paths/index.ts'
import { describePath } from './path-words.ts'
import type { WordedPath } from './path-words.ts'
import { startPeerSession } from './peer-session.ts'
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
 */
export async function sendEach (init: SendEachInit): Promise<SendOutcome[]> {
  const { signal } = init
  const recipients = [...new Set(init.to)]
  const addresses = recipients.map(addressOf)
  const session = await startPeerSession({
    dataDir: init.dataDir,
    downloadDir: init.dataDir,
    relays: init.relays,
    iceServers: init.iceServers,
    listen: init.listen,
    mdns: addresses.some(a => a == null) && init.mdns,
    presence: false
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
