/** The public types of the app service (see ./index.ts). */
import type { ApiHandlers, EventName, Events, SendStarted } from '../api/index.ts'
import type { PresenceInit } from '../core/contacts/index.ts'
import type { LocalFile, Peer, TransferTimeouts } from '../core/index.ts'
import type { LocalFileEntry } from './local-files.ts'
import type { ReceivedFile } from './received-files.ts'

/** What the host (Electron shell or headless server) provides; the calls it lacks fail with ApiError `unsupported`. */
export interface AppHost {
  kind: 'electron' | 'headless'
  /** Shows an absolute path in the system file manager (Electron: `shell.showItemInFolder`). */
  showInFolder?: (absPath: string) => Promise<void>
  /** Opens an absolute path with the system's default application (Electron: `shell.openPath`). */
  openPath?: (absPath: string) => Promise<void>
  /** The host serves received files for download (the headless server's `/api/received/…`). */
  servesDownloads?: boolean
  /** Opens a native folder picker; resolves undefined when the person cancels. */
  chooseDownloadDir?: (signal: AbortSignal) => Promise<string | undefined>
  /** The host checks for updates of itself while the `checkForUpdates` setting is on (it follows `settings` events). */
  checksForUpdates?: boolean
}

/**
 * Options of `startApp`. `displayName`, `downloadDir` and `relays` given here win over the stored settings for this
 * run; leave them out to use the stored ones (./settings.ts states the precedence).
 */
export interface AppInit {
  /** Holds `identity.key` and `ferry.db`; created (0700) if missing. */
  dataDir: string
  downloadDir?: string
  /** Relay multiaddrs (each ending in `/p2p/<relay peer ID>`); `[]` for none. */
  relays?: string[]
  /** ICE server URLs (`config.parseIceServers`); `[]` for none. */
  iceServers: string[]
  /** Extra listen multiaddrs; with `mdns` the default is `/ip4/0.0.0.0/tcp/0`. */
  listen?: string[]
  /** LAN discovery by mDNS (default off). */
  mdns?: boolean
  /**
   * Whether this host may ask the router to map a port (UPnP-IGD; default off, so tests never multicast SSDP). When
   * true the `upnp` setting decides (default on); hosts pass false for `--no-upnp` / `FERRY_UPNP=off`.
   */
  upnp?: boolean
  displayName?: string
  /** The system's locale, for the `system` language setting (default: `environment.systemLocale()`; docs/I18N.md). */
  locale?: string
  host?: AppHost
  /** Shorter transfer timeouts, ms (tests). */
  timeouts?: Partial<TransferTimeouts>
  /** Presence checking of contacts (defaults: contacts module constants), ms. */
  presence?: Pick<PresenceInit, 'intervalMs' | 'misses' | 'checkTimeoutMs'>
}

/** Files a host prepared for sending (e.g. the headless server's upload), and what to do once they are not needed. */
export interface PreparedSend {
  peerId: string
  /** More recipients of the same files, a transfer each (`Sends.startMany`); `cleanup` then runs once all are done. */
  alsoTo?: readonly string[]
  /** Each with its path in the transfer (`relPath`), its absolute path and its size in bytes. */
  files: LocalFile[]
  /**
   * Runs once the send ends completed, declined or cancelled, or failed/interrupted and not resumable (e.g. removes
   * the upload folder). Not run while the send can still be resumed.
   */
  cleanup?: () => Promise<void>
  /** Queue it in the outbox for a contact who is offline (the files stay until it is delivered or cancelled). */
  queue?: boolean
}

/** A running app service. */
export interface App {
  /** One handler per contract call; hosts call them through `dispatch(app.handlers, name, request, signal)`. */
  handlers: ApiHandlers
  /** Subscribes to a contract event; returns the unsubscribe function. */
  on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => () => void
  /**
   * Sends host-prepared files, as `sendLocalFiles` does after validating paths: returns at once with the transfer ID.
   * @throws {ApiError} `invalid-path` / `source-unreadable` / `unsafe-path` for bad files, `blocked` for a blocked
   *   contact (cleanup is then run, since nothing will use the files)
   */
  sendPrepared: (send: PreparedSend, signal: AbortSignal) => Promise<SendStarted>
  /**
   * Sends local files to `to` as `ferry send --to` names a recipient — a contact's name, a peer ID, or a multiaddr
   * ending in `/p2p/<peer ID>` (./recipients.ts) — after the checks of `sendLocalFiles`; returns at once with the
   * transfer ID and the recipient's peer ID.
   * @throws {ApiError} `unknown-contact` / `ambiguous-contact` for a name, `blocked` for a blocked contact,
   *   `invalid-request` for this device or an address without a peer ID; the file errors of `sendLocalFiles`
   */
  sendTo: (to: string, files: readonly LocalFileEntry[], signal: AbortSignal) => Promise<{ transferId: string, peerId: string }>
  /**
   * Opens file `fileIndex` of received transfer `transferId` for reading — only a file Ferry placed, looked up in the
   * store (./received-files.ts); the caller closes the handle. For the headless server's download.
   * @throws {ApiError} `not-available` (see `openReceivedFile`)
   */
  openReceived: (transferId: string, fileIndex: number) => Promise<ReceivedFile>
  /** The running core peer (replaced when a relay change restarts it). */
  readonly peer: Peer
  /** Cancels what runs, declines waiting offers, stops presence and the peer. Idempotent. */
  stop: () => Promise<void>
}
