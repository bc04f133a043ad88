/**
 * The app layer: Ferry's one application layer over the core, for every host. The Electron main process and the
 * headless server (`ferry serve`) start the app service with {@link startApp} and route every request through
 * `dispatch(app.handlers, name, request, signal)`, and every event from `app.on(…)` to the page. The `ferry` CLI
 * runs the same policy through the smaller functions below (a one-shot send, a receiving peer session, the contact
 * book, the history), so a rule about recipients, trust or presence is written once:
 *
 * - **Recipients** (./recipients.ts): a contact's name, a peer ID or a multiaddr → {@link resolveRecipient} (a valid
 *   peer ID always means that peer, whatever a contact is named), `checkRecipient` (`blocked` before anything
 *   is dialled; not this device), `routeTo` (LAN, last known address, a contact's Ferry that relays for its
 *   contacts, the contact's relays, the configured relays), `recordConnected` (`touchSeen` on connect), and the path
 *   a connection took in words (./path-words.ts: "through Carol's Ferry"). The app's sends and {@link sendEach}
 *   (`ferry send`) use them; {@link App.sendTo} takes a recipient as `ferry send --to` does.
 * - **Receive policy** (./receive-policy.ts): `receivePolicy` — blocked and contacts-only refused unseen, trusted
 *   contacts accepted without asking, strangers rate-limited, everyone else asked (or, for `ferry receive --yes`,
 *   accepted); `listenAddrsOf`: a receiving peer with LAN discovery listens on every interface.
 * - **Peer sessions** (./peer-session.ts): {@link startPeerSession} starts a peer with that policy and presence; the
 *   app service runs one per start, `ferry receive` one per run.
 * - **Contacts and history** (./contact-book.ts, ./history.ts, ./local-data.ts): a {@link ContactBook} (list, add by
 *   invite or peer ID, rename, trust, block, remove — by name or peer ID) and `historyOf`, on the running app's
 *   store or, through {@link withLocalData}, on a data directory without a running peer (`ferry contacts`, `ferry
 *   history`). The invite (`inviteText`, {@link localInvite}) and LAN discovery ({@link discoverLan}) likewise.
 *
 * What the app service (`startApp`) does on top of that:
 * - **Offers**: the receive policy decides (trusted contacts accepted without an `offer` event, strangers
 *   rate-limited, `contactsOnly` refuses non-contacts unseen); the rest become `offer` events answered by
 *   `answerOffer` (./offers.ts).
 * - **Peers**: contacts merged with LAN peers (mDNS, with `mdns: true`) and presence, emitted whole on `peers`
 *   (./peers-view.ts).
 * - **Transfers**: a `TransferView` per transfer from the transfer service's events and the store; `transfer` events
 *   on state changes and progress (≤ every 250 ms) (./transfers-view.ts).
 * - **Sending**: `sendLocalFiles` re-validates every path (absolute, a regular file by `lstat`, a safe relative path),
 *   takes a peer ID only (a contact named like another peer's ID cannot capture its files), checks and routes it
 *   through ./recipients.ts like `ferry send` and returns the transfer ID at once; {@link App.sendPrepared} does the
 *   same for the headless server's uploads and runs their `cleanup` when the send no longer needs the files
 *   (./send.ts).
 * - **Outbox** (./outbox.ts, ./outbox-entries.ts): `queue` on `sendLocalFiles`, `sendText` and uploads keeps a send
 *   for a contact who is offline in SQLite (files by reference, checked against their size, mtime and first block's
 *   hash before they are offered; text by value) and offers it when presence sees the contact online; `listOutbox`,
 *   `cancelOutbox`, the `outbox` event, and an `outbox-delivered` notice. `ferry send --queue` waits for its own entry
 *   through {@link sendOnce} (./send-queued.ts); `ferry outbox` reads and edits the table ({@link readOutbox},
 *   {@link cancelQueued}).
 * - **Identity** (invite, QR code, relay status, the device's name and kind: ./device.ts), **settings** (stored in SQLite; explicit `startApp` options win for
 *   a run — ./settings.ts), **contacts** (./contacts.ts), errors as `ApiError`s a person understands (./errors.ts),
 *   and `notice` events for what happens outside a call (relay unreachable, a trusted contact's offer accepted).
 *
 * `sendUpload` is answered `unsupported` here: the headless server owns uploads and replaces that handler with one that
 * calls {@link App.sendPrepared}.
 *
 * @example
 * ```ts
 * const app = await startApp({ dataDir, relays: [relayAddr], iceServers: [], host: { kind: 'headless' } })
 * const off = app.on('offer', offer => { void dispatch(app.handlers, 'answerOffer', { transferId: offer.transferId, accept: true }, signal) })
 * app.on('transfer', t => console.log(t.id, t.state, t.transferredBytes, '/', t.totalBytes))
 * await dispatch(app.handlers, 'addContact', { invite: 'ferry:12D3KooW…?name=Bob&relay=…' }, signal)
 * const { transferId } = await app.handlers.sendLocalFiles({ peerId: bob, files: [{ path: '/home/me/a.txt', relativePath: 'a.txt' }] }, signal)
 * off()
 * await app.stop()
 * ```
 */
import { ApiError } from '../api/index.ts'
import { AppState } from './app.ts'
import { toApiError } from './errors.ts'
import { createHandlers, queuedRecipient } from './handlers.ts'
import { validateLocalFiles } from './send.ts'
import { openReceivedFile } from './received-files.ts'
import type { App, AppInit } from './types.ts'

export type { App, AppHost, AppInit, PreparedSend } from './types.ts'
export { RecipientBlockedError, resolveRecipient } from './recipients.ts'
export type { Recipient, RecipientRoute } from './recipients.ts'
export type { ReceivePolicyInit } from './receive-policy.ts'
export { startPeerSession } from './peer-session.ts'
export type { PeerSession, PeerSessionInit } from './peer-session.ts'
export { sendEach } from './send-once.ts'
export type { SendEachInit, SendOnceEvents, SendOnceInit, SendOutcome } from './send-once.ts'
export type { WordedPath } from './path-words.ts'
export type { ContactEntry } from './contact-book.ts'
export type { HistoryEntry, HistoryOptions } from './history.ts'
export { savedNameOf } from './saved-names.ts'
export type { ReceivedFile } from './received-files.ts'
export { cancelQueued, readHistory, readOutbox, withLocalData } from './local-data.ts'
export type { LocalData, OutboxListing } from './local-data.ts'
export { localInvite } from './invite.ts'
export type { LocalInvite } from './invite.ts'
export { discoverLan } from './lan.ts'
export type { LanPeerEntry } from './lan.ts'
export type { LocalFileEntry } from './local-files.ts'
export { describeFailure, failureOf, toApiError } from './errors.ts'
export { networkCheckView, REACH_WORDS } from './network.ts'
export { resolveSettings } from './settings.ts'
export { readDeviceFacts } from './device.ts'
export { dataDirFrom, ENV_NAMES, mdnsEnabled, readEnvironment, systemLocale, upnpEnabled } from './environment.ts'
export type { FerryEnvironment } from './environment.ts'

/**
 * Starts the app service: resolves the settings, starts the peer (identity, SQLite, libp2p node, transfer service),
 * presence checks of contacts and the relay reservation (in the background: `identity` events report it).
 *
 * @throws {AbortedError} when `signal` aborts before it is started (nothing is left running)
 * @throws {ConfigError} (`invalid-config`) on a malformed relay; the errors of `startPeer` otherwise (e.g. the
 *   database is from a newer Ferry: `store-too-new`)
 */
export async function startApp (init: AppInit, signal?: AbortSignal): Promise<App> {
  const state = await AppState.start(init, signal)
  const handlers = createHandlers(state)
  // Every handler answers with an ApiError, whatever the core threw.
  const table = handlers as unknown as Record<string, (req: unknown, s: AbortSignal) => Promise<unknown>>
  for (const [name, handler] of Object.entries(table)) {
    table[name] = async (req, s) => {
      try {
        return await handler(req, s)
      } catch (err) {
        throw err instanceof ApiError ? err : toApiError(err)
      }
    }
  }
  return {
    handlers,
    on: (event, listener) => state.bus.on(event, listener),
    sendPrepared: async ({ peerId, files, cleanup, queue, alsoTo }, s) => {
      try {
        const checked = await validateLocalFiles(files.map(f => ({ path: f.absPath, relativePath: f.relPath })), s)
        if (queue === true) return await state.outbox.queue(queuedRecipient(state, { peerId, alsoTo }), { files: checked }, cleanup, s)
        return alsoTo == null ? state.sends.start(peerId, checked, cleanup) : state.sends.startMany([peerId, ...alsoTo], checked, cleanup)
      } catch (err) {
        await cleanup?.().catch(() => {})
        throw toApiError(err)
      }
    },
    sendTo: async (to, files, s) => {
      try {
        const recipient = state.sends.recipient(to)
        const checked = await validateLocalFiles(files, s)
        return { ...state.sends.start(recipient, checked), peerId: recipient.peerId }
      } catch (err) {
        throw toApiError(err)
      }
    },
    openReceived: async (transferId, fileIndex) => openReceivedFile(state.peer.store, transferId, fileIndex),
    get peer () { return state.peer },
    stop: async () => state.stop()
  }
}
