/**
 * Main-process IPC: one `ipcMain.handle` per contract call, each refusing untrusted senders before anything else and
 * dispatching through the contract's {@link dispatch} (the same validation as the headless server), and the core's
 * events forwarded to the window with `webContents.send`.
 *
 * Replies are envelopes (`{ ok: true, result } | { ok: false, error }`), never rejections: Electron turns a rejected
 * `ipcMain.handle` into a bare `Error` message, which would lose the error `code` the page needs.
 *
 * Pattern: Mattermost Desktop `src/common/communication.ts` (channels from one contract module), Electron security
 * checklist item 17 (validate the sender of all IPC messages).
 */
import type { IpcMainInvokeEvent } from 'electron'
import { CALL_NAMES, dispatch, EVENT_NAMES, ipcChannel, parseRequest, toApiErrorData } from '../api/index.ts'
import type { ApiErrorData, ApiHandlers, CallName, EventName, Events } from '../api/index.ts'
import { checkLocalFiles } from '../app/local-files.ts'

/** What this module needs of `ipcMain`. */
export interface IpcMainLike {
  handle: (channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>) => void
  removeHandler: (channel: string) => void
}

/** The reply of every call channel. */
export type IpcReply = { ok: true, result: unknown } | { ok: false, error: ApiErrorData }

/** Calls the Electron shell serves: every contract call except the headless server's `sendUpload`. */
export const ELECTRON_CALLS: readonly CallName[] = CALL_NAMES.filter(name => name !== 'sendUpload')

/** Options of {@link registerIpcHandlers}. */
export interface IpcHandlersInit {
  ipcMain: IpcMainLike
  /** The core's handlers (in process, or the proxy of the core's utility process). */
  handlers: ApiHandlers
  /** Sender validation, usually `event => isTrustedSender(senderInfo(event), ourWindow())`. */
  isTrusted: (event: IpcMainInvokeEvent) => boolean
  /** Aborted when the app quits; every in-flight call receives it. */
  signal: AbortSignal
}

/**
 * Registers one handler per call in {@link ELECTRON_CALLS} on channel `ipcChannel(name, 'call')`. Each handler:
 * 1. refuses a sender that `isTrusted` rejects with `untrusted-sender` (nothing is parsed or dispatched);
 * 2. for `sendLocalFiles`, validates the request and re-checks every path on disk ({@link checkLocalFiles});
 * 3. dispatches through {@link dispatch}: an invalid request is `invalid-request`, a handler's error keeps its code.
 *
 * @returns a function that removes every handler
 */
export function registerIpcHandlers (init: IpcHandlersInit): () => void {
  const { ipcMain, handlers, isTrusted, signal } = init
  for (const name of ELECTRON_CALLS) {
    ipcMain.handle(ipcChannel(name, 'call'), async (event, request): Promise<IpcReply> => {
      if (!isTrusted(event)) {
        return { ok: false, error: { name: 'ApiError', code: 'untrusted-sender', message: 'This window may not call Ferry' } }
      }
      if (name === 'sendLocalFiles') {
        try {
          await checkLocalFiles(parseRequest('sendLocalFiles', request).files, signal)
        } catch (err) {
          return { ok: false, error: toApiErrorData(err) }
        }
      }
      return await dispatch(handlers, name, request, signal)
    })
  }
  return () => {
    for (const name of ELECTRON_CALLS) ipcMain.removeHandler(ipcChannel(name, 'call'))
  }
}

/** A source of the contract's events: the app service, or the proxy of the core's utility process. */
export interface EventSource {
  on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => () => void
}

/**
 * Forwards every contract event from `source` to `send(ipcChannel(name, 'event'), payload)`; `send` is typically
 * `(ch, p) => { if (!win.isDestroyed()) win.webContents.send(ch, p) }`.
 *
 * @returns a function that stops forwarding
 */
export function forwardEvents (source: EventSource, send: (channel: string, payload: unknown) => void): () => void {
  const offs = EVENT_NAMES.map(name => source.on(name, payload => { send(ipcChannel(name, 'event'), payload) }))
  return () => { for (const off of offs) off() }
}
