/**
 * The `app://ferry/` protocol handler: serves the built renderer (`dist/renderer/`) to the window with the CSP and
 * hardening headers, and nothing else. It speaks the web's `Request`/`Response`, as Electron's `protocol.handle`
 * does, so it is tested in Node with real files.
 */
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { CONTENT_SECURITY_POLICY, resolveAppPath } from './security.ts'

/** Content types of the files a vite build of the renderer contains; anything else is served as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json'
}

/** Headers on every response, including errors. */
export function securityHeaders (): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache'
  }
}

/**
 * Creates the handler given to `protocol.handle('app', …)`.
 *
 * - `GET`/`HEAD` of `app://ferry/<path>` → the file under `root` (`/` → `index.html`), with its content type.
 * - Traversal (`..`, encoded or not), other hosts, folders, missing files → 404; other methods → 405.
 *
 * @param root - absolute path of the built renderer, `dist/renderer/`
 */
export function createAppProtocolHandler (root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed')
    const file = resolveAppPath(root, request.url)
    if (file == null) return plain(404, 'Not found')
    try {
      const info = await stat(file)
      if (!info.isFile()) return plain(404, 'Not found')
      const body = request.method === 'HEAD' ? null : await readFile(file)
      const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
      return new Response(body, { status: 200, headers: { ...securityHeaders(), 'Content-Type': type, 'Content-Length': String(info.size) } })
    } catch {
      return plain(404, 'Not found')
    }
  }
}

function plain (status: number, text: string): Response {
  return new Response(text, { status, headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } })
}
