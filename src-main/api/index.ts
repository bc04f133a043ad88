/**
 * The typed API contract between Ferry's UI and its core, shared by every host: the Electron preload and main-process
 * IPC handlers, the headless server's WebSocket bridge, and the Svelte renderer (types only).
 *
 * - Calls: {@link RequestSchemas} (zod, validated on the receiving side by {@link dispatch}) → {@link Results}.
 * - Events: {@link Events}, pushed from the core; the page subscribes with `api.on(name, listener)`, which returns an
 *   unsubscribe function and never exposes the IPC event or the socket.
 * - Views: plain JSON shapes ({@link PeerView}, {@link OfferView}, {@link TransferView}, …) with no filesystem paths;
 *   received files are referred to by transfer ID and file index.
 * - Errors: {@link ApiErrorData} `{ name, code, message }` on the wire, {@link ApiError} on the page.
 *
 * @example
 * ```ts
 * // Electron main / headless server: validate and dispatch an untrusted request
 * const reply = await dispatch(appService.handlers, 'addContact', { invite: text }, signal)
 * // Renderer
 * const off = api.on('transfer', t => console.log(t.id, t.transferredBytes, '/', t.totalBytes))
 * await api.answerOffer({ transferId, accept: true })
 * ```
 */
export {
  API_VERSION, ApiError, CALL_NAMES, dispatch, EVENT_NAMES, ipcChannel, MAX_FILES_IN_EVENTS, PAGE_CALL_NAMES,
  MAX_SEND_FILES, MAX_UPLOAD_LIMIT_MIBPS, parseRequest, TEXT_PREVIEW_CHARS, toApiErrorData
} from './contract.ts'
export type {
  ApiErrorData, ApiHandlers, CallName, EventName, Events, FerryApi, PageCallName, PickedFile, Requests, Results, SendStarted
} from './contract.ts'
export type {
  Capabilities, DeviceKind, FileView, IdentityView, Notice, OfferView, OutboxView, PeerView, RecipientSend, RelayStatus, SettingsView,
  Snapshot, UpnpStatus, TransferStateView, TransferView
} from './views.ts'
export type { NatMappingView, NetworkCheckView, ReachView, RelayCheckView, StunCheckView } from './network.ts'
