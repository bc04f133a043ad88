/**
 * The shapes that cross between the UI and the core: plain JSON objects (structured-clone and `JSON.stringify`
 * safe), never class instances, never filesystem paths. Times are ms since the Unix epoch; sizes are bytes; speeds are
 * bytes per second.
 *
 * Peer-supplied text (`PeerView.name` of a non-contact, `OfferView.senderName`, file paths in offers) is untrusted:
 * the UI renders it as text, never as HTML.
 */
import type { LanguageChoice } from '../text/index.ts'

/** The kind of device a peer says it is (`DEVICE_KINDS`), shown as an icon. Peer-supplied, display only. */
export type DeviceKind = 'desktop' | 'laptop' | 'server'

/** A peer the UI can show: a contact, a peer found on the LAN, or both. */
export interface PeerView {
  /** libp2p peer ID (base58btc, `12D3Koo…`). */
  peerId: string
  /** Last 8 characters of the peer ID, for display next to the name. */
  shortId: string
  /** The contact's name; for a non-contact, the name it announced or `peer-<shortId>`. */
  name: string
  /** The kind of device it says it is (its invite or its latest offer), when known. */
  device?: DeviceKind
  isContact: boolean
  /** Offers from this contact are accepted without asking. */
  trusted: boolean
  /** Refused by the connection gater before any protocol runs. */
  blocked: boolean
  /** Online now (presence check answered, or found on the LAN recently). */
  online: boolean
  /** Found on the LAN by mDNS recently. */
  nearby: boolean
  lastSeenAt?: number
  addedAt?: number
}

/** A file as listed in an offer or a transfer. `path` is `/`-separated and relative to the transfer root. */
export interface FileView {
  index: number
  path: string
  size: number
  /** Bytes done so far (transfers only). */
  bytesDone?: number
  /** `skipped`: not accepted (the receiver chose other files of the offer). */
  state?: 'pending' | 'transferring' | 'verified' | 'failed' | 'skipped'
  /**
   * A received file placed under another name than `path` because one of that name existed (`IMG_0001 (1).jpg`): the
   * `/`-separated path it was saved at, relative to the download folder; absent when it is `path`.
   */
  savedName?: string
}

/** An incoming offer waiting for the person's answer (`answerOffer`). */
export interface OfferView {
  transferId: string
  peerId: string
  shortId: string
  /** The name the sender announced: peer-supplied, render as text only. */
  senderName?: string
  /** The kind of device the sender says it is, when it said. */
  senderDevice?: DeviceKind
  /** The contact's name when the sender is a contact. */
  contactName?: string
  isContact: boolean
  files: FileView[]
  totalBytes: number
  receivedAt: number
  /** `webrtc`, `tcp`, … (how the connection was made). */
  transport: string
  /** `text` for a text snippet (no files). */
  kind?: 'text'
  /** A snippet's text as the peer sent it (≤ 1 MiB of UTF-8): render as text only, control and bidi characters escaped. */
  text?: string
  /**
   * Set only when the whole offer does not fit in the download folder: the bytes it can still take. Accepting more
   * fails (`insufficient-space`); the person chooses files that fit.
   */
  freeBytes?: number
}

/**
 * The life cycle as the UI shows it: the core's transfer states (`core/transfer/lifecycle.ts`; the app checks at compile
 * time that they are the same), plus `connecting` for a send not yet offered. Which are running is in
 * {@link TransferView.running}: the page does not decide it again.
 */
export type TransferStateView =
  | 'connecting' | 'offered' | 'accepted' | 'transferring'
  | 'completed' | 'declined' | 'failed' | 'interrupted' | 'cancelled'

/** One transfer, running or finished, in either direction. */
export interface TransferView {
  id: string
  direction: 'send' | 'receive'
  peerId: string
  /** Contact name, else the announced name, else `peer-<shortId>`. */
  peerName: string
  /**
   * Whether the peer is one of this device's contacts. When false, `peerName` is at best a name the peer chose for
   * itself — peer-supplied and unverified, possibly a contact's name: show it marked as not a contact.
   */
  isContact: boolean
  state: TransferStateView
  totalBytes: number
  transferredBytes: number
  fileCount: number
  /** Set while running. */
  bytesPerSecond?: number
  /** Estimated ms left, while running and known. */
  etaMs?: number
  /** Path of the file in flight (relative, `/`-separated). */
  currentFile?: string
  /** `text` for a text snippet (no files). */
  kind?: 'text'
  /**
   * A snippet's text (a received one is peer-supplied: render as text only, escaped): in events, snapshots and
   * history at most its first `TEXT_PREVIEW_CHARS` characters (`textTruncated` then set); whole from `getTransfer`.
   */
  text?: string
  /** A snippet's size in bytes of UTF-8 (≤ 1 MiB), whether or not `text` is whole. */
  textBytes?: number
  /** Set when `text` is only the start of the snippet: ask `getTransfer` for the whole text (e.g. to copy it). */
  textTruncated?: boolean
  /**
   * How many of the offered files the receiver did not accept (`accept.files`, docs/PROTOCOL.md): the files listed
   * `skipped`; `totalBytes` then counts the accepted files only. Absent: all were accepted.
   */
  notAcceptedFiles?: number
  /** `webrtc`, `tcp`, `circuit-relay`, once connected. */
  transport?: string
  /**
   * Sends: the path in words, once connected — "direct", "through Carol's Ferry" (a contact relaying), "through TURN",
   * "through relay <peer ID>" (`contacts.pathOf`, worded by src-main/app/path-words.ts; docs/CONNECTIVITY.md §9).
   */
  via?: string
  /**
   * Why it ended badly: a stable `code`, the `reason` of a failed file operation (`write-failed` with `disk-full`,
   * `permission-denied`, `folder-gone`; `read-failed` with `file-gone`, `file-changed`, …; told by the peer when it
   * was its disk or file; for `unsafe-path`, the path rule that refused a name), and the message for a person
   * (src-main/text/failures.ts). Decide on `code` and `reason`, never on `message`.
   */
  error?: { code: string, reason?: string, message: string }
  createdAt: number
  finishedAt?: number
  /** Per file; present in `getTransfer` and in events for transfers with at most `MAX_FILES_IN_EVENTS` files. */
  files?: FileView[]
  /** A completed receive whose files can be shown in the system's file manager (`showInFolder`). */
  canShowInFolder: boolean
  /**
   * Still in flight: `connecting` or a state the core counts as unfinished (`offered`, `accepted`, `transferring`);
   * false once it ended, however it ended.
   */
  running: boolean
  /** An interrupted send that `resumeTransfer` can continue (the core's `canResume`, and not running here now). */
  canResume: boolean
  /** Still running: `cancelTransfer` stops it on both sides. */
  canCancel: boolean
}

/** Whether the relay reservation that makes this peer reachable across NATs is in place. */
export type RelayStatus = 'reserved' | 'connecting' | 'offline' | 'unreachable' | 'none'

/**
 * Whether the router forwards a public port to this device (UPnP-IGD): `off` (setting or flag), `searching` for a
 * gateway, `mapped` (its address is among `addrs`), `no-gateway` (no UPnP router answered), `failed` (one answered but
 * mapped no port).
 */
export type UpnpStatus = 'off' | 'searching' | 'mapped' | 'no-gateway' | 'failed'

/** This peer, as shown on "My ID". */
export interface IdentityView {
  peerId: string
  shortId: string
  displayName: string
  /** The kind of device this is, as others see it (in the invite and with offers). */
  deviceKind: DeviceKind
  /** `ferry:<peer ID>?name=…&device=…&relay=…` text to give to someone (contacts module, docs/PROTOCOL.md §Invites). */
  invite: string
  /** The invite as a QR code, an SVG document (generated by the `qrcode` library, no peer-supplied content). */
  inviteQrSvg: string
  relayStatus: RelayStatus
  /** The router port mapping (UPnP-IGD, or NAT-PMP when no IGD answers). */
  upnp: UpnpStatus
  /** The protocol the router mapped with, when `upnp` is `mapped`. */
  upnpProtocol?: 'upnp' | 'nat-pmp'
  /** Addresses others can dial now (multiaddrs). */
  addrs: string[]
}

/** Settings a person can change. `downloadDir` is for display only; it is changed by `chooseDownloadDir`. */
export interface SettingsView {
  displayName: string
  /**
   * True while the display name is the one computed for this machine (docs/SETTINGS.md): nobody chose it yet. The UI
   * offers to change it; saving any name (the same one included) makes it false.
   */
  displayNameIsDefault: boolean
  /** The icon others see beside this device's name. */
  deviceKind: DeviceKind
  downloadDir: string
  /** Relay multiaddrs (circuit relay v2). */
  relays: string[]
  /** Offers from peers that are not contacts are refused unseen. */
  contactsOnly: boolean
  /**
   * Relay for contacts: when this device is reachable, two of its contacts that cannot connect directly connect
   * through it — never strangers (docs/CONNECTIVITY.md §9). Default on; a change restarts the peer.
   */
  relayForContacts: boolean
  /** The desktop app checks for, downloads and verifies updates (docs/UPDATES.md); default on. */
  checkForUpdates: boolean
  /** Ask the router to forward a port to this device (UPnP-IGD, docs/CONNECTIVITY.md "Port mapping"); default on. */
  upnp: boolean
  /** The language of the page, notifications, tray and the app's words: `system` (default) follows the system (docs/I18N.md). */
  language: LanguageChoice
  /** Upload speed limit of all sends together, MiB/s; 0 (default) for none (docs/SETTINGS.md). */
  uploadLimit: number
}

/** How a send to one of several recipients started: its transfer ID, or why it could not start (`code`, words). */
export interface RecipientSend {
  peerId: string
  transferId?: string
  error?: { code: string, message: string }
}

/**
 * What this host can do: the Electron shell can open folders, pick a download folder and check for updates of itself;
 * the headless server (`ferry serve`, updated with the package it runs from) cannot.
 */
export interface Capabilities {
  host: 'electron' | 'headless'
  showInFolder: boolean
  /** `openFile` opens a received file (the desktop app). */
  openFile: boolean
  /**
   * Each received file can be downloaded from `/api/received/<transfer ID>/<file index>` (the headless server:
   * docs/THREAT-MODEL.md "Download of received files").
   */
  download: boolean
  chooseDownloadDir: boolean
  /** The `checkForUpdates` setting applies here. */
  checkForUpdates: boolean
}

/** Everything the UI needs to draw its first frame. */
export interface Snapshot {
  capabilities: Capabilities
  identity: IdentityView
  settings: SettingsView
  peers: PeerView[]
  /** Incoming offers waiting for an answer, oldest first. */
  offers: OfferView[]
  /** Running transfers and the most recent finished ones, newest first. */
  transfers: TransferView[]
  /** Sends waiting for their contact to come online, oldest first. */
  outbox: OutboxView[]
}

/**
 * A send in the outbox: queued for a contact who was offline, offered when presence sees the contact online (then a
 * transfer of the same `id` follows, as `transfer` events). Cancel it with `cancelOutbox`.
 */
export interface OutboxView {
  /** The entry's ID, and the transfer's once it is offered. */
  id: string
  peerId: string
  /** The contact's name. */
  peerName: string
  /** `text` for a text snippet. */
  kind?: 'text'
  /** A snippet's text (this device's own). */
  text?: string
  totalBytes: number
  fileCount: number
  /** The files' paths in the transfer and sizes (up to `MAX_FILES_IN_EVENTS`). */
  files?: Array<{ path: string, size: number }>
  /** When it was queued, ms since the epoch. */
  createdAt: number
  /** Being offered now (the contact was seen online). */
  delivering: boolean
}

/** A message for a person about something that went wrong outside a call (e.g. the relay became unreachable). */
export interface Notice {
  level: 'info' | 'warning' | 'error'
  code: string
  message: string
}
