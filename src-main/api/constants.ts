/**
 * The parts of the contract that carry values, not only types, and need no zod: the version, the limits and the
 * error class. The renderer imports these directly (importing `contract.ts` would bundle zod into the page).
 */

/**
 * The calls page code may make (every call of the contract but the host-only `sendLocalFiles`, which the Electron
 * preload sends, and `sendUpload`, which the WebSocket client sends after an upload). The preload and the WebSocket
 * client build their call tables from this list; `contract.ts` checks it against the request schemas, so a new call
 * is two edits: its schema and result there, and its name here.
 */
export const PAGE_CALL_NAMES = [
  'getSnapshot', 'listHistory', 'getTransfer', 'addContact', 'addNearby', 'updateContact', 'removeContact',
  'getFingerprint', 'answerOffer', 'cancelTransfer', 'resumeTransfer', 'showInFolder', 'updateSettings',
  'chooseDownloadDir', 'getDiagnostics', 'checkNetwork', 'sendText', 'openFile', 'sendAgain',
  'listOutbox', 'cancelOutbox'
] as const

/** Every event from the core to the UI (`contract.ts` gives each one's payload type). */
export const EVENT_NAMES = ['peers', 'offer', 'offer-closed', 'transfer', 'identity', 'settings', 'notice', 'outbox'] as const

/** Version of this contract; the headless bridge refuses a page built for another one. */
export const API_VERSION = 1

/** Longest invite text accepted, characters (an invite with a few relays is ~300). */
export const MAX_INVITE_CHARS = 4096
/** The kinds of device a peer can say it is, each shown with its own icon (the core's `DEVICE_KINDS`). */
export const DEVICE_KINDS = ['desktop', 'laptop', 'server'] as const
/** Longest contact or display name, characters. */
export const MAX_NAME_CHARS = 64
/** Most files one `sendLocalFiles` / upload may carry. */
export const MAX_SEND_FILES = 100_000
/**
 * Longest text `sendText` takes, in UTF-16 units: twice the protocol's 1 MiB of UTF-8 (a UTF-16 unit is at least one
 * UTF-8 byte, so nothing sendable is cut); the transfer service then refuses more than 1 MiB of UTF-8 (`invalid-offer`).
 */
export const MAX_SEND_TEXT_CHARS = 2 * 1024 * 1024
/** Longest relay list in settings. */
export const MAX_RELAYS = 8
/** Transfers with more files than this carry no per-file list in events (ask `getTransfer`). */
export const MAX_FILES_IN_EVENTS = 200
/**
 * Most characters (UTF-16 units) of a text snippet a transfer view carries in events, snapshots and history (docs/LIMITS.md);
 * the whole text (up to 1 MiB of UTF-8) comes from `getTransfer`.
 */
export const TEXT_PREVIEW_CHARS = 4096

/** An error returned by a call. `code` is stable; `message` is written for a person. */
export class ApiError extends Error {
  static override name = 'ApiError'
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
    this.name = 'ApiError'
  }
}

/** Most recipients of one send (`alsoTo` holds the others): each gets a transfer of its own, all running at once. */
export const MAX_RECIPIENTS = 32
/** Highest upload limit the `uploadLimit` setting takes, MiB/s (0 is none; above this a limit means nothing). */
export const MAX_UPLOAD_LIMIT_MIBPS = 100_000
