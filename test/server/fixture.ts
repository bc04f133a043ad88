/**
 * Headless-server fixtures: a served app on a {@link TestNetwork} (real app service, real peer, loopback relay), a
 * small static folder standing in for the built renderer, raw HTTP requests (exact paths and `Host` headers, which
 * `fetch` would normalize or refuse), and WebSocket connections that report how the upgrade was answered.
 */
import { request } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import WebSocket from 'ws'
import { startServer } from '../../src-main/server/index.ts'
import type { FerryServer, UploadLimits } from '../../src-main/server/index.ts'
import type { TestNetwork } from '../helpers/peers.ts'
import { startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'

/** An app and the server in front of it. */
export interface Served {
  app: TestApp
  server: FerryServer
  /** `http://127.0.0.1:<port>` */
  origin: string
  stop: () => Promise<void>
}

/**
 * A static folder like the built renderer (`index.html`, a script, a stylesheet, an SVG) under `<root>/static`, plus
 * `<root>/secret.txt` outside it and a link `static/link.txt` pointing at that secret.
 */
export async function makeStaticDir (root: string): Promise<string> {
  const dir = join(root, 'static')
  await mkdir(join(dir, 'assets'), { recursive: true })
  await writeFile(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app.js"></script><link rel="stylesheet" href="./assets/app.css"></head><body></body></html>\n')
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log("ferry")\n')
  await writeFile(join(dir, 'assets', 'app.css'), 'body { margin: 0 }\n')
  await writeFile(join(dir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n')
  await writeFile(join(root, 'secret.txt'), 'SECRET outside the static folder\n')
  await symlink(join(root, 'secret.txt'), join(dir, 'link.txt'))
  return dir
}

/** Starts app `name` on `net` and a server for it serving `staticDir`. */
export async function serveApp (net: TestNetwork, name: string, staticDir: string, limits?: Partial<UploadLimits>): Promise<Served> {
  const app = await startTestApp(net, name)
  const server = await startServer({ app, staticDir, dataDir: app.dataDir, limits })
  return {
    app,
    server,
    origin: `http://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.close()
      await app.stop()
    }
  }
}

/** What a raw request got back. */
export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  /** The body parsed as JSON, if it is JSON. */
  json?: { error?: { code: string, message: string } } & Record<string, unknown>
}

/**
 * One HTTP request sent exactly as given (path not normalized, any `Host`). `body` may be larger or smaller than a
 * `Content-Length` header says nothing about: node sends it chunked unless `headers['content-length']` is set.
 */
export async function raw (port: number, options: { method?: string, path: string, headers?: Record<string, string>, body?: Buffer | string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: { host: `127.0.0.1:${port}`, ...options.headers }, setHost: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        let json: RawResponse['json']
        try { json = JSON.parse(body.toString()) } catch { json = undefined }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json })
      })
      res.on('error', reject)
    })
    // The server may answer (and close) before the whole body is sent: that is not a failure here.
    req.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err) })
    req.end(options.body)
  })
}

/** Opens a WebSocket; resolves with it once open, or with the HTTP status the upgrade was refused with. */
export async function openSocket (url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => resolve({ ws }))
    ws.once('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0 }); ws.terminate() })
    ws.once('error', (err) => reject(err))
  })
}

/** Sends `{ id, call, request }` on `ws` and resolves with the reply of that id. */
export async function callOver (ws: WebSocket, id: number | string, call: string, request: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>
      if (frame.id === id) { ws.off('message', onMessage); resolve(frame) }
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify({ id, call, request }))
  })
}
