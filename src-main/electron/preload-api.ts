/**
 * The object the preload exposes as `window.ferry` ({@link FerryApi}), built from injected `ipcRenderer`/`webUtils`
 * functions so it is tested in Node.
 *
 * - One function per page call, each `invoke(ipcChannel(name, 'call'), request)`.
 * - `on(event, listener)` wraps the listener so the page gets the payload only, never the `IpcRendererEvent` (whose
 *   `sender` is the raw `ipcRenderer`); it returns an unsubscribe function.
 * - `sendFiles(peerId, picked)` resolves each `File` to its path here, with `webUtils.getPathForFile`, and invokes
 *   `sendLocalFiles`; the page never sees a path, main re-validates every one.
 * - A failed call rejects with a plain `{ name, code, message }` object: `contextBridge` copies only the message of a
 *   thrown `Error` into the page (Electron docs, context-bridge.md, type table), while a plain object crosses intact,
 *   so `err.code` reaches the page.
 *
 * Pattern: Mattermost Desktop `src/app/preload/externalAPI.ts`.
 */
import { EVENT_NAMES, ipcChannel, PAGE_CALL_NAMES } from '../api/index.ts'
import type { ApiErrorData, EventName, Events, FerryApi, PageCallName, PickedFile } from '../api/index.ts'

/** The parts of `ipcRenderer` and `webUtils` the API is built from. */
export interface PreloadDeps {
  invoke: (channel: string, request: unknown) => Promise<unknown>
  on: (channel: string, listener: (event: unknown, payload: unknown) => void) => void
  removeListener: (channel: string, listener: (event: unknown, payload: unknown) => void) => void
  getPathForFile: (file: File) => string
}

/** Every page call (the contract's list). */
export const PAGE_CALLS: readonly PageCallName[] = PAGE_CALL_NAMES

/** The event names the page may subscribe to. */
const EVENTS: ReadonlySet<string> = new Set<EventName>(EVENT_NAMES)

/**
 * Builds `window.ferry`.
 *
 * @throws (from `sendFiles`) `{ code: 'invalid-request' }` when a picked entry has no `File` or the file has no path
 *   (e.g. it was made by script, not dropped or picked)
 */
export function createPreloadApi (deps: PreloadDeps): FerryApi {
  const call = async (name: string, request: unknown): Promise<never> => {
    const reply = await deps.invoke(ipcChannel(name as PageCallName, 'call'), request ?? {}) as { ok: boolean, result?: unknown, error?: ApiErrorData }
    if (reply?.ok === true) return reply.result as never
    throw errorData(reply?.error)
  }
  const api: Record<string, unknown> = {}
  for (const name of PAGE_CALLS) api[name] = async (request: unknown) => await call(name, request)

  api.sendFiles = async (peerId: string, picked: PickedFile[], options?: { queue?: boolean, alsoTo?: readonly string[] }): Promise<{ transferId: string }> => {
    if (!Array.isArray(picked) || picked.length === 0) throw errorData({ name: 'ApiError', code: 'invalid-request', message: 'No files to send' })
    const files = picked.map(p => {
      let filePath: unknown
      try {
        filePath = deps.getPathForFile(p.file)
      } catch {
        filePath = undefined
      }
      if (typeof filePath !== 'string' || filePath === '') {
        throw errorData({ name: 'ApiError', code: 'invalid-request', message: 'A file has no location on disk' })
      }
      return { path: filePath, relativePath: p.relativePath }
    })
    const alsoTo = options?.alsoTo
    const request = { peerId, files, ...(options?.queue === true ? { queue: true } : {}), ...(alsoTo == null || alsoTo.length === 0 ? {} : { alsoTo: [...alsoTo] }) }
    const reply = await deps.invoke(ipcChannel('sendLocalFiles', 'call'), request) as { ok: boolean, result?: unknown, error?: ApiErrorData }
    if (reply?.ok === true) return reply.result as { transferId: string }
    throw errorData(reply?.error)
  }

  api.on = <E extends EventName>(event: E, listener: (payload: Events[E]) => void): (() => void) => {
    if (!EVENTS.has(event) || typeof listener !== 'function') throw errorData({ name: 'ApiError', code: 'invalid-request', message: `No such event: ${String(event)}` })
    const channel = ipcChannel(event, 'event')
    const wrapped = (_event: unknown, payload: unknown): void => { listener(payload as Events[E]) }
    deps.on(channel, wrapped)
    let subscribed = true
    return () => {
      if (!subscribed) return
      subscribed = false
      deps.removeListener(channel, wrapped)
    }
  }
  return Object.freeze(api) as unknown as FerryApi
}

/** The plain error object a failed call rejects with. */
function errorData (error: ApiErrorData | undefined): ApiErrorData {
  return {
    name: typeof error?.name === 'string' ? error.name : 'ApiError',
    code: typeof error?.code === 'string' ? error.code : 'internal',
    message: typeof error?.message === 'string' ? error.message : 'The call failed'
  }
}
