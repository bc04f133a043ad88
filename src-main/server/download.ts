/**
 * `GET /api/received/<transfer ID>/<file index>`: a received file, for the page's "Download". The file is looked up in
 * the store by transfer ID and index (`App.openReceived`: only a file Ferry placed and verified, still a regular
 * file of its size) — never by a path from the request — and sent with the name it was saved under, in a
 * `Content-Disposition: attachment` header encoded by RFC 6266 and RFC 8187 (`filename*=UTF-8''…`, with an ASCII
 * `filename` fallback). The request passed the token, `Host` and `Origin` checks before it got here.
 */
import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { ServedApp } from './app-port.ts'
import { ServerRequestError } from './errors.ts'

/** The path of a download: a UUID and a file index. */
export const DOWNLOAD_PATH = /^\/api\/received\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/(\d{1,6})$/u

/** Characters RFC 8187 `attr-char` allows unencoded; everything else in the UTF-8 bytes is percent-encoded. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+.^_`|~-]/u

/**
 * The `Content-Disposition` value for a download named `name` (RFC 6266 §4.1, RFC 8187 §3.2): `attachment`, a quoted
 * ASCII `filename` (other characters, quotes, backslashes and controls become `_`) and `filename*` with the exact name.
 */
export function contentDisposition (name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/gu, '_')
  const encoded = [...Buffer.from(name, 'utf8')].map(b => {
    const c = String.fromCharCode(b)
    return b < 0x80 && ATTR_CHAR.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }).join('')
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

/**
 * Serves one download (see the module); `HEAD` sends the headers only.
 *
 * @throws {ServerRequestError} 404 `not-available` when the app cannot serve downloads or the file is not one Ferry
 *   placed (the app's message says why), 405 for another method
 */
export async function serveDownload (app: ServedApp, match: RegExpExecArray, method: string, res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') throw new ServerRequestError(405, 'method-not-allowed', 'Method not allowed')
  if (app.openReceived == null) throw new ServerRequestError(404, 'not-available', 'Downloads are not served here')
  const file = await app.openReceived(match[1] as string, Number(match[2])).catch((err: unknown) => {
    throw new ServerRequestError(404, 'not-available', (err as Error).message)
  })
  try {
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(file.size),
      'Content-Disposition': contentDisposition(file.name),
      'Cache-Control': 'no-store'
    })
    if (method === 'HEAD') {
      res.end()
      return
    }
    await pipeline(file.handle.createReadStream({ start: 0, end: Math.max(0, file.size - 1), autoClose: false }), res, { signal })
  } finally {
    await file.handle.close().catch(() => {})
  }
}
