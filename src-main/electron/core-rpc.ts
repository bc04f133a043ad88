/**
 * The message protocol between Electron's main process and the core running in a `utilityProcess` (so libp2p,
 * hashing and SQLite never block the window's process while bytes flow). Both ends are written against a minimal
 * {@link Port} (post + message listener), so the whole protocol is tested in Node over a `MessageChannel`.
 *
 * main → core: `start` (init), `call` (id, name, request), `abort` (id), `host-reply` (id, result or error), `stop`.
 * core → main: `started` | `start-failed` (error), `reply` (id, envelope), `event` (name, payload),
 * `host-call` (id, op, args) for what only main can do (show a file in its folder, the folder picker), `stopped`.
 *
 * Requests are validated in the core by the contract's `dispatch`, exactly as with an in-process core; main's IPC
 * layer validates the sender before anything is posted.
 */
import { extname } from 'node:path'
import { RUNS_WHEN_OPENED } from '../app/received-files.ts'
import { ApiError, CALL_NAMES, dispatch, EVENT_NAMES, toApiErrorData } from '../api/index.ts'
import type { ApiErrorData, ApiHandlers, CallName, EventName, Events } from '../api/index.ts'

/** One end of a message channel (`utilityProcess` child in main, `process.parentPort` in the core). */
export interface Port {
  post: (message: unknown) => void
  /** Adds a listener for incoming messages (the message itself, not a `MessageEvent`); returns its removal. */
  onMessage: (listener: (message: unknown) => void) => () => void
}

/** What the core asks main to do: the host calls of the app service (`startApp({ host })`). */
export interface HostCalls {
  /** Shows `absPath` selected in the system file manager. */
  showInFolder: (absPath: string) => Promise<void>
  /** Opens `absPath` (a received file, checked by the core) with the system's default application. */
  openPath?: (absPath: string) => Promise<void>
  /** Opens the folder picker; the chosen absolute path, or null when cancelled. */
  chooseDownloadDir: (signal: AbortSignal) => Promise<string | null>
}

/** The core as main sees it: the same surface as the app service. */
export interface CoreClient {
  handlers: ApiHandlers
  on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => () => void
  /** Resolves once the core started; rejects with the core's start error. */
  started: Promise<void>
  /** Asks the core to stop the app service; resolves when it did (or when the connection closed). */
  stop: () => Promise<void>
  /** Fails every pending call with `core-stopped` (the process exited) and ignores later messages. */
  close: (reason?: string) => void
}

/** The app service as the core end needs it. */
export interface AppLike {
  handlers: ApiHandlers
  on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => () => void
  stop: () => Promise<void>
}

type Msg = Record<string, unknown> & { type?: unknown }

/**
 * Main's end: posts `start` with `init`, serves the core's host calls with `host`, and returns the core as a
 * {@link CoreClient} whose handlers forward every call (and its abort) over `port`.
 */
export function connectCore (port: Port, init: unknown, host: HostCalls): CoreClient {
  let nextId = 1
  let closed = false
  const pending = new Map<number, (reply: { ok: true, result: unknown } | { ok: false, error: ApiErrorData }) => void>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const hostCalls = new Map<number, AbortController>()
  let onStarted!: () => void
  let onStartFailed!: (err: Error) => void
  const started = new Promise<void>((resolve, reject) => { onStarted = resolve; onStartFailed = reject })
  started.catch(() => {})
  let onStopped: () => void = () => {}
  const stopped = new Promise<void>(resolve => { onStopped = resolve })

  const off = port.onMessage(raw => {
    if (closed || raw == null || typeof raw !== 'object') return
    const msg = raw as Msg
    if (msg.type === 'reply' && typeof msg.id === 'number') {
      const settle = pending.get(msg.id)
      pending.delete(msg.id)
      settle?.(msg.reply as { ok: true, result: unknown })
    } else if (msg.type === 'event' && typeof msg.name === 'string') {
      for (const l of listeners.get(msg.name) ?? []) l(msg.payload)
    } else if (msg.type === 'host-call' && typeof msg.id === 'number') {
      void serveHostCall(msg.id, msg.op, msg.args)
    } else if (msg.type === 'started') {
      onStarted()
    } else if (msg.type === 'start-failed') {
      const e = msg.error as ApiErrorData | undefined
      onStartFailed(Object.assign(new ApiError(e?.code ?? 'internal', e?.message ?? 'The core did not start'), { name: e?.name ?? 'ApiError' }))
      onStopped() // a core that failed to start has ended
    } else if (msg.type === 'stopped') {
      onStopped()
    }
  })

  async function serveHostCall (id: number, op: unknown, args: unknown): Promise<void> {
    const controller = new AbortController()
    hostCalls.set(id, controller)
    try {
      let result: unknown
      if (op === 'showInFolder' && typeof args === 'string') {
        await host.showInFolder(args)
        result = null
      } else if (op === 'openPath' && typeof args === 'string' && host.openPath != null) {
        // The core looked the file up in its store and refused programs; main refuses them again before the shell.
        if (RUNS_WHEN_OPENED.has(extname(args).toLowerCase())) throw new ApiError('runs-code', 'This file would run as a program')
        await host.openPath(args)
        result = null
      } else if (op === 'chooseDownloadDir') {
        result = await host.chooseDownloadDir(controller.signal)
      } else {
        throw new ApiError('unsupported', `No such host call: ${String(op)}`)
      }
      if (!closed) port.post({ type: 'host-reply', id, ok: true, result })
    } catch (err) {
      if (!closed) port.post({ type: 'host-reply', id, ok: false, error: toApiErrorData(err) })
    } finally {
      hostCalls.delete(id)
    }
  }

  function call (name: CallName, request: unknown, signal: AbortSignal): Promise<unknown> {
    if (closed) return Promise.reject(new ApiError('core-stopped', 'The Ferry core is not running'))
    signal.throwIfAborted()
    const id = nextId++
    return new Promise((resolve, reject) => {
      const onAbort = (): void => { if (!closed) port.post({ type: 'abort', id }) }
      signal.addEventListener('abort', onAbort, { once: true })
      pending.set(id, reply => {
        signal.removeEventListener('abort', onAbort)
        if (reply.ok) resolve(reply.result)
        else reject(Object.assign(new ApiError(reply.error.code, reply.error.message), { name: reply.error.name }))
      })
      port.post({ type: 'call', id, name, request })
    })
  }

  const handlers = Object.fromEntries(CALL_NAMES.map(name => [name, async (request: unknown, signal: AbortSignal) => await call(name, request, signal)])) as unknown as ApiHandlers

  port.post({ type: 'start', init })
  return {
    handlers,
    started,
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      const l = listener as (payload: unknown) => void
      set.add(l)
      return () => { set.delete(l) }
    },
    stop: async () => {
      if (closed) return
      port.post({ type: 'stop' })
      await stopped
    },
    close: (reason = 'The Ferry core stopped') => {
      if (closed) return
      closed = true
      off()
      for (const settle of pending.values()) settle({ ok: false, error: { name: 'ApiError', code: 'core-stopped', message: reason } })
      pending.clear()
      for (const c of hostCalls.values()) c.abort()
      onStartFailed(new ApiError('core-stopped', reason))
      onStopped()
    }
  }
}

/**
 * The core's end: on `start`, runs `startApp(init, host)` (host calls go back to main over `port`), then serves
 * calls through the contract's {@link dispatch}, forwards every event, honours `abort`, and on `stop` stops the app
 * service, aborts in-flight calls and posts `stopped`.
 *
 * @returns resolves when the core stopped (after `stop`, or when start failed)
 */
export function serveCore (port: Port, startApp: (init: unknown, host: HostCalls) => Promise<AppLike>): Promise<void> {
  return new Promise(resolve => {
    let app: AppLike | undefined
    let ready: Promise<AppLike> | undefined
    let nextHostId = 1
    const hostPending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
    const calls = new Map<number, AbortController>()
    const lifetime = new AbortController()
    const unsubscribe: Array<() => void> = []

    const hostCall = (op: string, args: unknown, signal?: AbortSignal): Promise<unknown> => new Promise((resolve, reject) => {
      const id = nextHostId++
      hostPending.set(id, { resolve, reject })
      signal?.addEventListener('abort', () => {
        hostPending.delete(id)
        reject(new ApiError('aborted', 'The request was aborted'))
      }, { once: true })
      port.post({ type: 'host-call', id, op, args })
    })
    const host: HostCalls = {
      showInFolder: async absPath => { await hostCall('showInFolder', absPath) },
      openPath: async absPath => { await hostCall('openPath', absPath) },
      chooseDownloadDir: async signal => await hostCall('chooseDownloadDir', null, signal) as string | null
    }

    const off = port.onMessage(raw => {
      if (raw == null || typeof raw !== 'object') return
      const msg = raw as Msg
      if (msg.type === 'start' && ready == null) {
        ready = startApp(msg.init, host)
        ready.then(started => {
          app = started
          for (const name of EVENT_NAMES) unsubscribe.push(started.on(name, payload => { port.post({ type: 'event', name, payload }) }))
          port.post({ type: 'started' })
        }, err => {
          port.post({ type: 'start-failed', error: toApiErrorData(err) })
          off()
          resolve()
        })
      } else if (msg.type === 'call' && typeof msg.id === 'number') {
        const id = msg.id
        const controller = new AbortController()
        calls.set(id, controller)
        const signal = AbortSignal.any([controller.signal, lifetime.signal])
        // A call made while the app service starts waits for it.
        const run = (ready ?? Promise.reject(new ApiError('core-stopped', 'The Ferry core was not started'))).then(
          started => dispatch(started.handlers, String(msg.name), msg.request, signal),
          err => ({ ok: false as const, error: toApiErrorData(err) })
        )
        void run.then(reply => {
          calls.delete(id)
          port.post({ type: 'reply', id, reply })
        })
      } else if (msg.type === 'abort' && typeof msg.id === 'number') {
        calls.get(msg.id)?.abort(new ApiError('aborted', 'The request was aborted'))
      } else if (msg.type === 'host-reply' && typeof msg.id === 'number') {
        const p = hostPending.get(msg.id)
        hostPending.delete(msg.id)
        if (p == null) return
        if (msg.ok === true) p.resolve(msg.result)
        else {
          const e = msg.error as ApiErrorData | undefined
          p.reject(new ApiError(e?.code ?? 'internal', e?.message ?? 'The host call failed'))
        }
      } else if (msg.type === 'stop') {
        lifetime.abort(new ApiError('core-stopped', 'Ferry is quitting'))
        for (const u of unsubscribe) u()
        const started = ready?.catch(() => undefined) ?? Promise.resolve(undefined)
        void started.then(async a => { await (a ?? app)?.stop() }).catch(() => {}).then(() => {
          port.post({ type: 'stopped' })
          off()
          resolve()
        })
      }
    })
  })
}
