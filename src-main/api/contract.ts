/**
 * The one contract between the UI and the core: every call (request → result) and every event, with a zod schema for
 * each request so the receiving side validates what it is sent. Used by the Electron preload and main-process handlers
 * (IPC) and by the headless server's WebSocket bridge; the renderer sees it as {@link FerryApi}.
 *
 * Pattern: Mattermost Desktop `src/common/communication.ts` (one module of channel names and types shared by main,
 * preload and renderer).
 */
import { z } from 'zod'
import type { Notice, OfferView, OutboxView, PeerView, RecipientSend, Snapshot, SettingsView, TransferView, IdentityView } from './views.ts'
import type { NetworkCheckView } from './network.ts'

import { ApiError, DEVICE_KINDS, MAX_INVITE_CHARS, MAX_NAME_CHARS, MAX_RECIPIENTS, MAX_RELAYS, MAX_SEND_FILES, MAX_SEND_TEXT_CHARS, MAX_UPLOAD_LIMIT_MIBPS } from './constants.ts'
import type { EVENT_NAMES, PAGE_CALL_NAMES } from './constants.ts'
import { LANGUAGE_CHOICES } from '../text/index.ts'

export { API_VERSION, ApiError, EVENT_NAMES, MAX_FILES_IN_EVENTS, MAX_SEND_FILES, MAX_UPLOAD_LIMIT_MIBPS, PAGE_CALL_NAMES, TEXT_PREVIEW_CHARS } from './constants.ts'

const PeerIdSchema = z.string().min(1).max(128).regex(/^[1-9A-HJ-NP-Za-km-z]+$/, 'not a base58 peer ID')
const TransferIdSchema = z.uuid()
const NameSchema = z.string().trim().min(1).max(MAX_NAME_CHARS)
/**
 * Queue the send in the outbox instead of dialling now: for a contact who is offline, offered when presence sees it
 * online (docs/ARCHITECTURE.md "The outbox"). Contacts only, and one recipient: not with `alsoTo`.
 */
const QueueSchema = z.boolean().optional()
/**
 * More recipients of the same send besides `peerId`: each gets a transfer of its own, all running at once; one that
 * cannot be sent to (blocked, offline, declining) does not stop the others (the result's `transfers` lists each).
 */
const AlsoToSchema = z.array(PeerIdSchema).max(MAX_RECIPIENTS - 1).optional()

/** Request schemas, one per call; a call without arguments takes `{}`. */
export const RequestSchemas = {
  /** Everything the UI needs to draw: capabilities, identity, settings, peers, pending offers, recent transfers. */
  getSnapshot: z.object({}).strict(),
  /** Finished and running transfers, newest first; `peerId` filters by peer. */
  listHistory: z.object({ peerId: PeerIdSchema.optional(), limit: z.int().min(1).max(1000).optional() }).strict(),
  /** One transfer with its per-file list. */
  getTransfer: z.object({ transferId: TransferIdSchema }).strict(),
  /** Adds (or updates) a contact from `ferry:` invite text; `name` overrides the invite's name. */
  addContact: z.object({ invite: z.string().max(MAX_INVITE_CHARS), name: NameSchema.optional() }).strict(),
  /** Adds a peer found on the LAN as a contact. */
  addNearby: z.object({ peerId: PeerIdSchema, name: NameSchema.optional() }).strict(),
  /** Renames, trusts/untrusts, blocks/unblocks a contact. */
  updateContact: z.object({ peerId: PeerIdSchema, name: NameSchema.optional(), trusted: z.boolean().optional(), blocked: z.boolean().optional() }).strict(),
  removeContact: z.object({ peerId: PeerIdSchema }).strict(),
  /** The short fingerprint both sides compare (contacts module `fingerprint`). */
  getFingerprint: z.object({ peerId: PeerIdSchema }).strict(),
  /**
   * Accepts or declines an incoming offer. `files` (with `accept`): only these files, by `FileView.index`, strictly
   * increasing, each once (docs/PROTOCOL.md §4 "accept"); absent: all of them.
   */
  answerOffer: z.object({ transferId: TransferIdSchema, accept: z.boolean(), files: z.array(z.int().min(0)).min(1).max(MAX_SEND_FILES).optional() }).strict(),
  /** Cancels a running transfer (both sides record `cancelled`). */
  cancelTransfer: z.object({ transferId: TransferIdSchema }).strict(),
  /** Continues an interrupted send from where the receiver's verified bytes end. */
  resumeTransfer: z.object({ transferId: TransferIdSchema }).strict(),
  /**
   * Sends a send that failed, was cancelled, declined or interrupted again: resumed where the receiver kept its
   * verified bytes (as `resumeTransfer`), else as a new transfer of the same files (checked on disk again) or text.
   */
  sendAgain: z.object({ transferId: TransferIdSchema }).strict(),
  /** Shows a received file (or the transfer's folder) in the system file manager. Electron only. */
  showInFolder: z.object({ transferId: TransferIdSchema, fileIndex: z.int().min(0).optional() }).strict(),
  /**
   * Opens a received file with the system's default application. Electron only. The file is looked up by transfer ID
   * and index in the store (the page never names a path); a file that would run as a program is refused (`runs-code`).
   */
  openFile: z.object({ transferId: TransferIdSchema, fileIndex: z.int().min(0) }).strict(),
  updateSettings: z.object({
    displayName: NameSchema.optional(),
    /** The icon others see beside this device's name (in the invite and with offers). */
    deviceKind: z.enum(DEVICE_KINDS).optional(),
    relays: z.array(z.string().min(1).max(1024)).max(MAX_RELAYS).optional(),
    contactsOnly: z.boolean().optional(),
    /**
     * Relay between contacts (docs/CONNECTIVITY.md §9); a change restarts the peer when nothing runs, else applies at
     * the next start.
     */
    relayForContacts: z.boolean().optional(),
    /** Desktop app: check for updates (docs/UPDATES.md). Stored everywhere, acted on only where the capability says. */
    checkForUpdates: z.boolean().optional(),
    /** Router port mapping (UPnP-IGD); a change restarts the peer when nothing runs, else applies at the next start. */
    upnp: z.boolean().optional(),
    /** The language: `system` follows the system (docs/I18N.md). */
    language: z.enum(LANGUAGE_CHOICES).optional(),
    /** Upload speed limit of all sends together, MiB/s; 0 for none (docs/SETTINGS.md). Applies to running sends at once. */
    uploadLimit: z.number().min(0).max(MAX_UPLOAD_LIMIT_MIBPS).optional()
  }).strict(),
  /** Opens a native folder picker and stores the choice. Electron only. */
  chooseDownloadDir: z.object({}).strict(),
  /** Text for a bug report: versions, this peer's state and the recent debug log, with no local paths or file names. */
  getDiagnostics: z.object({}).strict(),
  /** Checks the network: relays, UDP (STUN), the NAT's mapping, UPnP, and what they mean (docs/CONNECTIVITY.md). */
  checkNetwork: z.object({}).strict(),
  /**
   * Sends a text snippet (at most 1 MiB of UTF-8, docs/PROTOCOL.md §4 "offer", kind `text`) to a peer: typed in a
   * contact's "Send text…" box or pasted on a contact card. Returns at once; `transfer` events follow.
   */
  sendText: z.object({ peerId: PeerIdSchema, text: z.string().min(1).max(MAX_SEND_TEXT_CHARS), queue: QueueSchema, alsoTo: AlsoToSchema }).strict(),
  /**
   * Electron only, sent by the preload (never by page code, which has no paths): files resolved with
   * `webUtils.getPathForFile`, each with the `/`-separated path it gets in the transfer (the page expands dropped
   * folders into their files). Main re-validates every path (absolute, a regular file — not a folder or a symbolic
   * link — and readable) before anything is sent.
   */
  sendLocalFiles: z.object({
    peerId: PeerIdSchema,
    files: z.array(z.object({ path: z.string().min(1).max(4096), relativePath: z.string().min(1).max(4096) }).strict()).min(1).max(MAX_SEND_FILES),
    queue: QueueSchema,
    alsoTo: AlsoToSchema
  }).strict(),
  /** Headless only: sends the files of a finished upload (see the server's upload endpoint). */
  sendUpload: z.object({ peerId: PeerIdSchema, uploadId: z.uuid(), queue: QueueSchema, alsoTo: AlsoToSchema }).strict(),
  /** The sends waiting for their contact to come online, oldest first. */
  listOutbox: z.object({}).strict(),
  /** Removes a send from the outbox (and stops it if it is being offered): nothing of it is sent. */
  cancelOutbox: z.object({ id: TransferIdSchema }).strict()
} as const

/** Name of a call. */
export type CallName = keyof typeof RequestSchemas

/** The request type of each call (after validation). */
export type Requests = { [K in CallName]: z.infer<(typeof RequestSchemas)[K]> }

/** The result type of each call. */
export interface Results {
  getSnapshot: Snapshot
  listHistory: TransferView[]
  getTransfer: TransferView
  addContact: PeerView
  addNearby: PeerView
  updateContact: PeerView
  removeContact: { removed: boolean }
  getFingerprint: { fingerprint: string }
  answerOffer: { ok: true }
  cancelTransfer: { ok: true }
  resumeTransfer: { transferId: string }
  sendAgain: { transferId: string }
  showInFolder: { ok: true }
  openFile: { ok: true }
  updateSettings: SettingsView
  chooseDownloadDir: SettingsView
  getDiagnostics: { text: string }
  checkNetwork: NetworkCheckView
  /** With `alsoTo`: `transferId` is the first started, `transfers` says for every recipient (in order) how it started. */
  sendText: SendStarted
  /** Returns at once with the ID the transfer will have; its progress arrives as `transfer` events. */
  sendLocalFiles: SendStarted
  sendUpload: SendStarted
  listOutbox: OutboxView[]
  /** `cancelled`: it was in the outbox and is gone now. */
  cancelOutbox: { cancelled: boolean }
}

/** What a send call returns: a transfer ID, and with `alsoTo` how the send to each recipient started. */
export interface SendStarted {
  transferId: string
  transfers?: RecipientSend[]
}

/** Events from the core to the UI. */
export interface Events {
  /** The whole peer list (contacts and nearby peers), whenever any of it changes. */
  peers: PeerView[]
  /** A new incoming offer awaiting an answer. */
  offer: OfferView
  /** An offer is no longer awaiting an answer (answered, withdrawn, timed out). */
  'offer-closed': { transferId: string }
  /** A transfer was created or changed (state, progress at most every 250 ms). */
  transfer: TransferView
  /** This peer's identity changed (relay status, addresses, display name). */
  identity: IdentityView
  settings: SettingsView
  notice: Notice
  /** The whole outbox, whenever it changes (a send queued, offered, cancelled, or found stale). */
  outbox: OutboxView[]
}

/** Name of an event. */
export type EventName = keyof Events

/** Every call name, for building a preload or a dispatcher. */
export const CALL_NAMES = Object.keys(RequestSchemas) as CallName[]

// The name lists of constants.ts must be exactly the contract's: a call or event missing from one fails the type check.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const pageCallsMatch: Exactly<(typeof PAGE_CALL_NAMES)[number], Exclude<CallName, 'sendLocalFiles' | 'sendUpload'>> = true
const eventsMatch: Exactly<(typeof EVENT_NAMES)[number], keyof Events> = true
void pageCallsMatch
void eventsMatch

/** Calls the page itself may make (the rest are made by the host: the preload, or the browser client after upload). */
export type PageCallName = (typeof PAGE_CALL_NAMES)[number]

/** Electron IPC channel of a call (`ipcRenderer.invoke`) or event (`webContents.send`). */
export function ipcChannel (name: CallName | EventName, kind: 'call' | 'event'): string {
  return `ferry:${kind}:${name}`
}

/** The server side of the contract: one handler per call. Implemented by the app service. */
export type ApiHandlers = { [K in CallName]: (request: Requests[K], signal: AbortSignal) => Promise<Results[K]> }

/** A file or folder the person dropped or picked, with the `/`-separated path it gets in the transfer. */
export interface PickedFile {
  file: File
  relativePath: string
}

/**
 * What the renderer sees (`window.ferry` in Electron, the WebSocket client in a browser): one function per page call,
 * `sendFiles` for dropped or picked files, and `on` for events, which returns an unsubscribe function. Errors reject
 * with an {@link ApiError}-shaped error (`name`, `code`, `message`).
 */
export type FerryApi = { [K in PageCallName]: (request: Requests[K]) => Promise<Results[K]> } & {
  /**
   * Sends files to a peer — and the same files to each of `options.alsoTo`, a transfer each — resolved to paths by
   * the Electron preload, or uploaded once to the headless server. With `options.queue` (one recipient), queued in
   * the outbox for a contact who is offline.
   */
  sendFiles: (peerId: string, files: PickedFile[], options?: { queue?: boolean, alsoTo?: readonly string[] }) => Promise<SendStarted>
  on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => () => void
}

/** A failed call as it crosses IPC or the WebSocket: plain data, rebuilt into an `ApiError` on the page side. */
export interface ApiErrorData {
  name: string
  /** Stable kebab-case code (`invalid-request`, `invalid-invite`, `peer-unreachable`, `unsupported`, …). */
  code: string
  message: string
}

/** The error data of any thrown value: `FerryError`s keep their code; a zod error becomes `invalid-request`. */
export function toApiErrorData (err: unknown): ApiErrorData {
  if (err instanceof z.ZodError) return { name: 'ApiError', code: 'invalid-request', message: z.prettifyError(err) }
  const e = err as { name?: unknown, code?: unknown, message?: unknown }
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    code: typeof e?.code === 'string' ? e.code : 'internal',
    message: typeof e?.message === 'string' ? e.message : String(err)
  }
}

/**
 * Validates `request` for call `name`.
 *
 * @throws {ApiError} code `unknown-call` for a name not in the contract, `invalid-request` when the schema refuses it
 */
export function parseRequest<K extends CallName> (name: K, request: unknown): Requests[K] {
  const schema = (RequestSchemas as Record<string, z.ZodType>)[name]
  if (schema == null || !Object.hasOwn(RequestSchemas, name)) throw new ApiError('unknown-call', `No such call: ${String(name)}`)
  const parsed = schema.safeParse(request ?? {})
  if (!parsed.success) throw new ApiError('invalid-request', `${name}: ${z.prettifyError(parsed.error)}`)
  return parsed.data as Requests[K]
}

/**
 * Runs call `name` with untrusted `request` on `handlers`: validates, calls, and returns the result or the error data.
 * Both transports (IPC, WebSocket) dispatch through this, so validation is the same everywhere.
 */
export async function dispatch (handlers: ApiHandlers, name: string, request: unknown, signal: AbortSignal): Promise<{ ok: true, result: unknown } | { ok: false, error: ApiErrorData }> {
  try {
    const req = parseRequest(name as CallName, request)
    const handler = handlers[name as CallName] as (r: unknown, s: AbortSignal) => Promise<unknown>
    return { ok: true, result: await handler(req, signal) }
  } catch (err) {
    return { ok: false, error: toApiErrorData(err) }
  }
}
