/**
 * The browser side of `ferry serve`: a {@link FerryApi} over the server's WebSocket bridge (wire format in
 * `src-main/server/index.ts`), with dropped or picked files uploaded over HTTP before they are sent.
 *
 * - The access token is read from the page URL (`?token=…` or `#token=…`) and then removed from the address bar
 *   (`history.replaceState`), kept in memory only; the server's HttpOnly cookie covers page reloads.
 * - Calls reject with the contract's {@link ApiError} (`name` `ApiError`, stable `code`, `message` for a person),
 *   imported from the zod-free `src-main/api/constants.ts` so the page bundle does not pull in zod.
 * - When the socket drops it reconnects with backoff (250 ms doubling to 10 s). Calls running at that moment reject
 *   with code `disconnected`; calls made while disconnected wait up to 10 s for the connection. Two local `notice`
 *   events mark it: `{ level: 'warning', code: 'disconnected' }` and, once back, `{ level: 'info', code:
 *   'reconnected' }` — on the latter, fetch a fresh `getSnapshot` (events were missed). A server that runs another
 *   contract version closes with 4001: a `notice` `{ level: 'error', code: 'api-version-mismatch' }`, no reconnect.
 * - `sendFiles(peerId, files)` creates an upload, `PUT`s each file (one at a time, with upload progress), then calls
 *   `sendUpload`; the transfer's own progress then arrives as `transfer` events. Upload progress goes to
 *   `options.onUploadProgress` and to listeners of `api.onUploadProgress(listener)` (returns an unsubscribe). A failed
 *   upload is removed from the server and the call rejects with the server's code (`unsafe-path`, `disk-full`, …).
 *
 * @example
 * ```ts
 * const api = await connectWsClient({ onUploadProgress: p => console.log(p.sentBytes, '/', p.totalBytes) })
 * const snapshot = await api.getSnapshot({})
 * const off = api.on('transfer', t => console.log(t.state))
 * await api.sendFiles(peerId, [{ file, relativePath: 'photos/beach.jpg' }])
 * ```
 */
import type {
  ApiErrorData, CallName, EventName, Events, FerryApi, PageCallName, PickedFile, Requests, Results, SendStarted
} from '../../../src-main/api/index.ts'
import { API_VERSION, ApiError, PAGE_CALL_NAMES } from '../../../src-main/api/constants.ts'

export { ApiError }

/** The contract version this page was built for. */
const PAGE_API_VERSION = API_VERSION
/** Close code of a server running another contract version (`CLOSE_API_VERSION` in src-main/server). */
const CLOSE_API_VERSION = 4001
/** First reconnect delay, ms; doubled up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 250
const MAX_BACKOFF_MS = 10_000
/** How long a call made while disconnected waits for the connection, ms. */
const WAIT_FOR_CONNECTION_MS = 10_000

/** Progress of the upload step of `sendFiles` (bytes from the browser to the local server). */
export interface UploadProgress {
  peerId: string
  /** Set once the server created the upload. */
  uploadId?: string
  /** Files fully uploaded so far. */
  filesDone: number
  fileCount: number
  /** Relative path of the file being uploaded. */
  currentFile?: string
  /** Bytes uploaded so far, over all files. */
  sentBytes: number
  totalBytes: number
  /** `uploading`, then `sending` (sendUpload called), then `done` (transfer ID known) or `failed`. */
  phase: 'uploading' | 'sending' | 'done' | 'failed'
}

/** Options of {@link connectWsClient}; all optional in a page served by `ferry serve`. */
export interface WsClientOptions {
  /** The server's http(s) origin; default the page's. */
  origin?: string
  /** The access token; default read from the page URL (then removed from the address bar). */
  token?: string
  /** Called with the upload progress of every `sendFiles`. */
  onUploadProgress?: (progress: UploadProgress) => void
}

/** The client: the contract's {@link FerryApi} plus upload progress and `close()`. */
export type WsFerryApi = FerryApi & {
  /** Subscribes to upload progress of `sendFiles`; returns the unsubscribe function. */
  onUploadProgress: (listener: (progress: UploadProgress) => void) => () => void
  /** Closes the socket for good (no reconnect); pending calls reject with `disconnected`. */
  close: () => void
}

/** The browser globals used, typed minimally so the client also runs (and typechecks) in Node for tests. */
interface XhrLike {
  open: (method: string, url: string) => void
  setRequestHeader: (name: string, value: string) => void
  responseType: string
  upload: { onprogress: ((ev: { loaded: number }) => void) | null }
  onload: (() => void) | null
  onerror: (() => void) | null
  status: number
  response: unknown
  send: (body: Blob) => void
}
const page = globalThis as unknown as {
  location?: { origin: string, pathname: string, search: string, hash: string }
  history?: { state: unknown, replaceState: (state: unknown, unused: string, url: string) => void }
  XMLHttpRequest?: new () => XhrLike
}

type Reply = { id: number, ok: true, result: unknown } | { id: number, ok: false, error: ApiErrorData }
interface Pending { resolve: (value: unknown) => void, reject: (err: Error) => void }

function tokenFromPage (): string | undefined {
  const loc = page.location
  if (loc == null) return undefined
  const query = new URLSearchParams(loc.search)
  const hash = new URLSearchParams(loc.hash.replace(/^#/u, ''))
  const token = query.get('token') ?? hash.get('token') ?? undefined
  if (token != null && page.history != null) {
    query.delete('token')
    hash.delete('token')
    const search = query.toString()
    const fragment = hash.toString()
    page.history.replaceState(page.history.state, '', `${loc.pathname}${search === '' ? '' : `?${search}`}${fragment === '' ? '' : `#${fragment}`}`)
  }
  return token
}

function toApiError (data: unknown, fallbackCode: string): ApiError {
  const e = (data ?? {}) as Partial<ApiErrorData>
  return new ApiError(typeof e.code === 'string' ? e.code : fallbackCode, typeof e.message === 'string' ? e.message : 'The request failed')
}

/**
 * Connects to the `ferry serve` that served this page and returns its API.
 *
 * @throws {ApiError} `connection-failed` when the first connection cannot be made (no or wrong token, server gone),
 *   `api-version-mismatch` when the server runs another contract version
 */
export async function connectWsClient (options: WsClientOptions = {}): Promise<WsFerryApi> {
  const origin = options.origin ?? page.location?.origin
  if (origin == null) throw new ApiError('invalid-request', 'connectWsClient needs options.origin outside a page')
  const token = options.token ?? tokenFromPage()
  const wsUrl = new URL('/api/ws', origin)
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:'
  wsUrl.searchParams.set('apiVersion', String(PAGE_API_VERSION))
  if (token != null) wsUrl.searchParams.set('token', token)

  const listeners = new Map<EventName, Set<(payload: never) => void>>()
  const progressListeners = new Set<(p: UploadProgress) => void>()
  if (options.onUploadProgress != null) progressListeners.add(options.onUploadProgress)
  const pending = new Map<number, Pending>()
  const waiting = new Set<() => void>()
  let nextId = 1
  let socket: WebSocket | undefined
  let open = false
  let closedForGood = false
  let backoff = FIRST_BACKOFF_MS

  const emit = <E extends EventName>(event: E, payload: Events[E]): void => {
    for (const l of [...listeners.get(event) ?? []]) {
      try { (l as (p: Events[E]) => void)(payload) } catch (err) { console.error(`ferry: a "${event}" listener threw`, err) }
    }
  }
  const progress = (p: UploadProgress): void => {
    for (const l of [...progressListeners]) {
      try { l(p) } catch (err) { console.error('ferry: an upload progress listener threw', err) }
    }
  }

  const onMessage = (ev: { data: unknown }): void => {
    let frame: Record<string, unknown>
    try {
      frame = JSON.parse(String(ev.data)) as Record<string, unknown>
    } catch {
      return
    }
    if (typeof frame.event === 'string') {
      emit(frame.event as EventName, frame.payload as never)
      return
    }
    const reply = frame as unknown as Reply
    const call = typeof reply.id === 'number' ? pending.get(reply.id) : undefined
    if (call == null) return
    pending.delete(reply.id)
    if (reply.ok) call.resolve(reply.result)
    else call.reject(toApiError(reply.error, 'internal'))
  }

  const connect = (first: boolean): Promise<void> => new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl)
    socket = ws
    let opened = false
    ws.addEventListener('open', () => {
      opened = true
      open = true
      backoff = FIRST_BACKOFF_MS
      for (const w of [...waiting]) w()
      if (!first) emit('notice', { level: 'info', code: 'reconnected', message: 'Connected to Ferry again.' })
      resolve()
    })
    ws.addEventListener('message', onMessage)
    ws.addEventListener('close', (ev: { code: number }) => {
      open = false
      for (const [id, call] of pending) {
        pending.delete(id)
        call.reject(new ApiError('disconnected', 'The connection to Ferry was lost before the answer came; try again.'))
      }
      if (ev.code === CLOSE_API_VERSION) {
        closedForGood = true
        const err = new ApiError('api-version-mismatch', 'This page is out of date for the running Ferry: reload it.')
        emit('notice', { level: 'error', code: err.code, message: err.message })
        reject(err)
        return
      }
      if (first && !opened) {
        closedForGood = true
        reject(new ApiError('connection-failed', 'Cannot connect to Ferry: open the URL that `ferry serve` printed (it carries the access token).'))
        return
      }
      if (closedForGood) return
      if (opened) emit('notice', { level: 'warning', code: 'disconnected', message: 'Lost the connection to Ferry; reconnecting…' })
      const delay = backoff * (0.75 + Math.random() * 0.5)
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
      setTimeout(() => { if (!closedForGood) connect(false).catch(() => {}) }, delay)
      resolve()
    })
  })

  const whenOpen = async (): Promise<void> => {
    if (open) return
    if (closedForGood) throw new ApiError('disconnected', 'The connection to Ferry is closed.')
    await new Promise<void>((resolve, reject) => {
      const done = (): void => { clearTimeout(timer); waiting.delete(done); resolve() }
      const timer = setTimeout(() => { waiting.delete(done); reject(new ApiError('disconnected', 'Not connected to Ferry; try again in a moment.')) }, WAIT_FOR_CONNECTION_MS)
      waiting.add(done)
    })
  }

  const call = async <K extends CallName>(name: K, request: Requests[K]): Promise<Results[K]> => {
    await whenOpen()
    const id = nextId++
    return await new Promise<Results[K]>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      try {
        socket?.send(JSON.stringify({ id, call: name, request }))
      } catch (err) {
        pending.delete(id)
        reject(new ApiError('disconnected', `Could not send the request: ${String(err)}`))
      }
    })
  }

  const authHeaders = (): Record<string, string> => (token == null ? {} : { Authorization: `Bearer ${token}` })

  const errorOf = async (res: Response): Promise<ApiError> => {
    const body = await res.json().catch(() => undefined) as { error?: ApiErrorData } | undefined
    return toApiError(body?.error ?? { code: `http-${res.status}`, message: `The server answered ${res.status}` }, `http-${res.status}`)
  }

  /** PUTs one file; XMLHttpRequest in a browser (upload progress), fetch elsewhere (progress per file). */
  const putFile = async (url: string, file: File, onBytes: (sent: number) => void): Promise<void> => {
    const Xhr = page.XMLHttpRequest
    if (Xhr == null) {
      const res = await fetch(url, { method: 'PUT', body: file, headers: authHeaders(), credentials: 'same-origin' })
      if (!res.ok) throw await errorOf(res)
      onBytes(file.size)
      return
    }
    await new Promise<void>((resolve, reject) => {
      const xhr = new Xhr()
      xhr.open('PUT', url)
      for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v)
      xhr.responseType = 'json'
      xhr.upload.onprogress = (ev) => onBytes(ev.loaded)
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) { onBytes(file.size); resolve(); return }
        const body = xhr.response as { error?: ApiErrorData } | null
        reject(toApiError(body?.error ?? { code: `http-${xhr.status}`, message: `The server answered ${xhr.status}` }, `http-${xhr.status}`))
      }
      xhr.onerror = () => reject(new ApiError('upload-failed', 'The upload to Ferry failed (connection lost).'))
      xhr.send(file)
    })
  }

  const sendFiles = async (peerId: string, files: PickedFile[], options?: { queue?: boolean, alsoTo?: readonly string[] }): Promise<SendStarted> => {
    const totalBytes = files.reduce((n, f) => n + f.file.size, 0)
    const state: UploadProgress = { peerId, filesDone: 0, fileCount: files.length, sentBytes: 0, totalBytes, phase: 'uploading' }
    if (files.length === 0) throw new ApiError('invalid-request', 'No files to send')
    const created = await fetch(new URL('/api/uploads', origin), { method: 'POST', headers: authHeaders(), credentials: 'same-origin' })
    if (!created.ok) throw await errorOf(created)
    const { uploadId } = await created.json() as { uploadId: string }
    state.uploadId = uploadId
    progress({ ...state })
    try {
      let before = 0
      for (const picked of files) {
        const url = new URL(`/api/uploads/${encodeURIComponent(uploadId)}/files`, origin)
        url.searchParams.set('path', picked.relativePath)
        url.searchParams.set('size', String(picked.file.size))
        state.currentFile = picked.relativePath
        await putFile(url.href, picked.file, sent => { state.sentBytes = before + sent; progress({ ...state }) })
        before += picked.file.size
        state.filesDone++
      }
      state.phase = 'sending'
      progress({ ...state })
      // Uploaded once, sent to every recipient (a transfer each), or queued for one.
      const alsoTo = options?.alsoTo
      const result = await call('sendUpload', { peerId, uploadId, ...(options?.queue === true ? { queue: true } : {}), ...(alsoTo == null || alsoTo.length === 0 ? {} : { alsoTo: [...alsoTo] }) })
      state.phase = 'done'
      progress({ ...state })
      return result
    } catch (err) {
      state.phase = 'failed'
      progress({ ...state })
      // Best effort: an upload not handed over is removed (the server also removes abandoned ones after a while).
      await fetch(new URL(`/api/uploads/${encodeURIComponent(uploadId)}`, origin), { method: 'DELETE', headers: authHeaders(), credentials: 'same-origin' }).catch(() => {})
      throw err instanceof ApiError ? err : new ApiError('upload-failed', `The upload failed: ${String(err)}`)
    }
  }

  await connect(true)

  const pageCall = <K extends PageCallName>(name: K) => async (request: Requests[K]): Promise<Results[K]> => call(name, request)
  // One function per page call of the contract's list (PAGE_CALL_NAMES): a new call needs no edit here.
  const calls = Object.fromEntries(PAGE_CALL_NAMES.map(name => [name, pageCall(name)])) as { [K in PageCallName]: ReturnType<typeof pageCall<K>> }
  const api: WsFerryApi = {
    ...calls,
    sendFiles,
    on: (event, listener) => {
      let set = listeners.get(event)
      if (set == null) listeners.set(event, set = new Set())
      const l = listener as (payload: never) => void
      set.add(l)
      return () => { set.delete(l) }
    },
    onUploadProgress: (listener) => {
      progressListeners.add(listener)
      return () => { progressListeners.delete(listener) }
    },
    close: () => {
      closedForGood = true
      socket?.close(1000, 'closed by the page')
    }
  }
  return api
}
