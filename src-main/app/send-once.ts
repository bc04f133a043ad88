/**
 * One send from start to end, as `ferry send --to <recipient> PATH…` runs it: a peer that only sends (it accepts no
 * transfer and announces nothing; LAN discovery only to find a peer ID or contact), the recipient resolved and checked
 * (./recipients.ts: refused before anything is dialled when it is a blocked contact), its route, the files and
 * folders sent with their structure, the contact recorded as seen on connect, and the peer stopped again. With `queue`
 * (`ferry send --queue`) the send first waits in the outbox until presence sees the contact online (./send-queued.ts).
 */
import type { ConnectionInfo, TransferProgress, TransferResult } from '../core/index.ts'
import { describePath } from './path-words.ts'
import type { WordedPath } from './path-words.ts'
import { startPeerSession } from './peer-session.ts'
import type { PeerSessionInit } from './peer-session.ts'
import type { QueuedWhat } from './outbox-entries.ts'
import { queueFor, waitToDeliver } from './send-queued.ts'
import { addressOf, checkRecipient, recordConnected, resolveRecipient, routeTo } from './recipients.ts'
import type { RecipientRoute } from './recipients.ts'

/** What happens during {@link sendOnce}, as it happens. */
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

/** Options of {@link sendOnce}. */
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
   * Queue it in the outbox and wait until the contact (a contact only) comes online (./send-queued.ts); Ctrl-C before
   * the connection is up leaves it queued.
   */
  queue?: boolean
  /** With `queue`: presence checks of the contact (default: the contacts module's interval). */
  presence?: PeerSessionInit['presence']
  /** After the connection drops, keep trying to resume for this long, ms. */
  retryForMs: number
  signal: AbortSignal
  on?: SendOnceEvents
}

/**
 * Sends `paths` to `to` and resolves once the receiver confirmed every file's SHA-256 (see the module).
 * @throws {ConfigError} (`invalid-config`) for a malformed multiaddr — before any peer is started
 * @throws {UnknownContactError} / {AmbiguousContactError} for a name; {@link RecipientBlockedError} (`blocked`) for a
 *   blocked contact; {@link OwnPeerError} for this device; the errors of routing and of the transfer service's send;
 *   with `queue`: `not-a-contact`, `outbox-full`, and `outbox-stale` (a queued file changed or vanished: recorded as a
 *   failed send, nothing sent)
 */
export async function sendOnce (init: SendOnceInit): Promise<TransferResult> {
  const { on = {}, signal } = init
  const address = addressOf(init.to)
  const session = await startPeerSession({
    dataDir: init.dataDir,
    downloadDir: init.dataDir,
    relays: init.relays,
    iceServers: init.iceServers,
    listen: init.listen,
    mdns: address == null && init.mdns,
    presence: init.queue === true ? init.presence ?? {} : false
  })
  const { peer } = session
  try {
    if (on.progress != null) peer.transfers.on('progress', on.progress)
    if (on.resuming != null) peer.transfers.on('resuming', on.resuming)
    on.started?.()
    const recipient = resolveRecipient(peer.store, init.to)
    checkRecipient(recipient, peer.peerId)
    const entry = init.queue === true ? await queueFor(peer, recipient, init, signal) : undefined
    if (entry != null) on.queued?.({ id: entry.id, peerId: entry.peerId, contact: recipient.contact?.name ?? entry.peerId })
    let connected = false
    const sendTo = async (what: QueuedWhat | undefined): Promise<TransferResult> => {
      const route = await routeTo(peer, recipient, init.relays, signal)
      if (recipient.addr == null && recipient.peerId != null) on.route?.({ ...route, peerId: recipient.peerId, contact: recipient.contact?.name ?? null })
      const options = {
        signal,
        ...(entry == null ? {} : { transferId: entry.id }),
        onConnected: (info: ConnectionInfo) => {
          if (entry != null) {
            connected = true
            peer.store.outbox.remove(entry.id)
          }
          recordConnected(peer.store, recipient.peerId, info)
          on.connected?.(info, describePath(info, peer.store))
        },
        onRetry: on.retry,
        onSkipped: on.skipped,
        retryForMs: init.retryForMs,
        onInterrupted: on.interrupted
      }
      const text = what == null ? init.text : what.text
      const result = what?.files != null
        ? await peer.transfers.sendLocal(route.addr, what.files, options)
        : text == null ? await peer.transfers.send(route.addr, init.paths, options) : await peer.transfers.sendText(route.addr, text, options)
      on.complete?.(result)
      return result
    }
    for (let attempt = 0; ; attempt++) {
      const what = entry == null || session.presence == null ? undefined : await waitToDeliver(peer, session.presence, entry.peerId, entry.id, signal, attempt > 0)
      try {
        return await sendTo(what)
      } catch (err) {
        // Queued: a dial that failed before the connection came up waits for the contact again.
        if (entry == null || connected || signal.aborted) throw err
      }
    }
  } finally {
    await session.stop()
  }
}
