/**
 * `startServer`: the HTTP server that serves the renderer, the upload endpoint and the WebSocket bridge on a loopback
 * address, behind the checks of `security.ts`.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import { toApiErrorData } from '../api/index.ts'
import { UnsafePathError } from '../core/paths/index.ts'
import { t } from '../text/index.ts'
import type { ServedApp } from './app-port.ts'
import type { UploadLimits } from './constants.ts'
import { ServerRequestError, UploadError } from './errors.ts'
import { allowedFor, checkRequest, newToken, securityHeaders, tokenCookie } from './security.ts'
import type { Allowed } from './security.ts'
import { checkStaticDir, findStatic, sendStatic } from './static.ts'
import { DOWNLOAD_PATH, serveDownload } from './download.ts'
import { UploadStore } from './uploads.ts'
import { bridgeHandlers, createBridge } from './ws-bridge.ts'

/** Options of {@link startServer}. */
export interface ServerInit {
  /** The app service (`startApp` from src-main/app). The server does not stop it. */
  app: ServedApp
  /** The built renderer (`dist/renderer/`); must hold `index.html`. */
  staticDir: string
  /** The app's data directory: uploads are stored under `<dataDir>/uploads/`. */
  dataDir: string
  /** Loopback address to listen on: `127.0.0.1` (default) or `::1`. */
  host?: string
  /** TCP port; 0 (default) picks a free one. */
  port?: number
  /** Access token; default a new random one (256 bits). */
  token?: string
  /** Lower upload limits (tests). */
  limits?: Partial<UploadLimits>
  /** Aborting it closes the server. */
  signal?: AbortSignal
}

/** A running server. */
export interface FerryServer {
  /** `http://127.0.0.1:<port>/?token=<token>`: the URL to open. */
  url: string
  port: number
  token: string
  /** Closes sockets, stops accepting requests, aborts uploads in flight. Idempotent. */
  close: () => Promise<void>
}

const UPLOAD_FILE = /^\/api\/uploads\/([^/]+)\/files$/u
const UPLOAD = /^\/api\/uploads\/([^/]+)$/u

function statusOf (err: unknown): number {
  if (err instanceof ServerRequestError || err instanceof UploadError) return err.status
  if (err instanceof UnsafePathError) return 400
  return 500
}

function fail (res: ServerResponse, err: unknown, api: boolean): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const status = statusOf(err)
  const error = toApiErrorData(err)
  if (status === 500) error.message = t('server.internal')
  // An unread request body (a refused upload) is not drained: the connection closes after the answer.
  res.writeHead(status, { 'Content-Type': api ? 'application/json' : 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' })
  res.end(api ? JSON.stringify({ error }) : `${error.message}\n`)
}

function json (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}

async function serveApi (req: IncomingMessage, res: ServerResponse, url: URL, uploads: UploadStore, app: ServedApp, signal: AbortSignal): Promise<void> {
  const method = req.method ?? 'GET'
  const download = DOWNLOAD_PATH.exec(url.pathname)
  if (download != null) return serveDownload(app, download, method, res, signal)
  if (url.pathname === '/api/uploads' && method === 'POST') {
    json(res, 201, { uploadId: await uploads.create() })
    return
  }
  const file = UPLOAD_FILE.exec(url.pathname)
  if (file != null && method === 'PUT') {
    const path = url.searchParams.get('path')
    const sizeText = url.searchParams.get('size')
    if (path == null) throw new UploadError(400, 'invalid-request', 'path= is required')
    if (sizeText == null || !/^\d{1,16}$/u.test(sizeText)) throw new UploadError(400, 'invalid-size', 'size= must be a whole number of bytes')
    const size = Number(sizeText)
    const declared = req.headers['content-length']
    if (declared != null && declared !== sizeText) throw new UploadError(400, 'size-mismatch', `Content-Length ${declared} is not the declared size ${size}`)
    const stored = await uploads.putFile(file[1] as string, path, size, req, signal)
    json(res, 201, { path: stored.relPath, size: stored.size })
    return
  }
  const upload = UPLOAD.exec(url.pathname)
  if (upload != null && method === 'DELETE') {
    await uploads.remove(upload[1] as string)
    res.writeHead(204).end()
    return
  }
  if (url.pathname === '/api/ws') throw new ServerRequestError(426, 'upgrade-required', 'Connect with a WebSocket')
  throw new ServerRequestError(404, 'not-found', 'No such endpoint')
}

function parseUrl (req: IncomingMessage): URL {
  const raw = req.url ?? ''
  if (!raw.startsWith('/')) throw new ServerRequestError(400, 'bad-request', 'Only origin-form request targets are accepted')
  return new URL(raw, 'http://127.0.0.1')
}

function refuseUpgrade (socket: Duplex, err: unknown): void {
  const status = statusOf(err)
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Bad Request'
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

/**
 * Starts the headless server: the renderer from `staticDir`, `POST /api/uploads`, `PUT /api/uploads/<id>/files`,
 * `DELETE /api/uploads/<id>`, `GET /api/received/<transfer ID>/<file index>` (./download.ts) and the WebSocket at `/api/ws`, all behind the token, `Host` and `Origin` checks.
 *
 * @throws {RendererMissingError} `renderer-not-built` when `staticDir/index.html` is missing
 * @throws {ServerRequestError} `not-loopback` for a `host` that is not a loopback IP address
 * @throws the `listen` error (e.g. `EADDRINUSE`) when the port is taken
 */
export async function startServer (init: ServerInit): Promise<FerryServer> {
  const host = init.host ?? '127.0.0.1'
  if (!(isIP(host) === 4 ? host.startsWith('127.') : host === '::1')) {
    throw new ServerRequestError(400, 'not-loopback', `The server listens on loopback only (127.0.0.1 or ::1), not ${host}`)
  }
  init.signal?.throwIfAborted()
  const root = await checkStaticDir(init.staticDir)
  const token = init.token ?? newToken()
  const uploads = await UploadStore.open(init.dataDir, init.limits, init.signal)
  const closing = new AbortController()
  const bridge = createBridge(init.app, bridgeHandlers(init.app, uploads))
  // Known once the port is: requests only arrive after `listen`.
  const bound: { allowed?: Allowed } = {}

  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    const headers = securityHeaders(bound.allowed?.port ?? 0)
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value as string)
    let api = false
    void (async () => {
      const url = parseUrl(req)
      api = url.pathname.startsWith('/api/')
      const from = checkRequest(req.headers, url, bound.allowed as Allowed, token)
      if (api) return serveApi(req, res, url, uploads, init.app, closing.signal)
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ServerRequestError(405, 'method-not-allowed', 'Method not allowed')
      const file = await findStatic(root, url.pathname)
      if (from === 'query') res.setHeader('Set-Cookie', tokenCookie((bound.allowed as Allowed).port, token))
      sendStatic(res, file, req.method)
    })().catch(err => fail(res, err, api))
  })
  server.setTimeout(120_000) // an idle connection (e.g. a stalled upload) is closed; WebSockets clear it
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {})
    try {
      const url = parseUrl(req)
      checkRequest(req.headers, url, bound.allowed as Allowed, token)
      if (url.pathname !== '/api/ws') throw new ServerRequestError(404, 'not-found', 'No such endpoint')
      bridge.handleUpgrade(req, socket, head, url)
    } catch (err) {
      refuseUpgrade(socket, err)
    }
  })
  server.on('clientError', (_err, socket) => socket.destroy())

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(init.port ?? 0, host, () => { server.off('error', reject); resolve() })
    })
  } catch (err) {
    // Not listening (e.g. the port is taken): release what was opened for it.
    bridge.close()
    uploads.close()
    throw err
  }
  const address = server.address()
  const port = typeof address === 'object' && address != null ? address.port : 0
  bound.allowed = allowedFor(host, port)

  let closed: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closed ??= new Promise<void>(resolve => {
      closing.abort()
      bridge.close()
      uploads.close()
      server.close(() => resolve())
      server.closeIdleConnections()
      setTimeout(() => server.closeAllConnections(), 1000).unref()
    })
    return closed
  }
  init.signal?.addEventListener('abort', () => { void close() }, { once: true })
  const urlHost = host.includes(':') ? `[${host}]` : host
  return { url: `http://${urlHost}:${port}/?token=${token}`, port, token, close }
}
