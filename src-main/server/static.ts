/**
 * Serves the built renderer (`dist/renderer/`) read-only: `GET`/`HEAD` of files strictly inside the static folder,
 * `/` as `index.html`, MIME types from `mime-types`. A request path is decoded once, refused if it holds a NUL, a
 * backslash or a `..` segment, resolved under the folder and checked again with `path.relative` after following
 * links (`realpath`), so neither `..` nor a link inside the folder reaches anything outside it.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { contentType } from 'mime-types'
import { RendererMissingError, ServerRequestError } from './errors.ts'
import { t } from '../text/index.ts'

/** A file to send: its absolute path, size in bytes and `Content-Type`. */
export interface StaticFile {
  path: string
  size: number
  type: string
}

function inside (root: string, full: string): boolean {
  const rel = relative(root, full)
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel)
}

/**
 * The static folder's real path, once it is known to hold `index.html`.
 *
 * @throws {RendererMissingError} when `index.html` is missing (the renderer was not built)
 */
export async function checkStaticDir (staticDir: string): Promise<string> {
  const root = resolve(staticDir)
  const index = await stat(join(root, 'index.html')).catch(() => undefined)
  if (index?.isFile() !== true) throw new RendererMissingError(root)
  return realpath(root)
}

/**
 * Finds the file a URL path names under `root` (a real path from {@link checkStaticDir}).
 *
 * @param pathname the URL's path, still percent-encoded
 * @throws {ServerRequestError} 400 `bad-path` for an undecodable or traversing path, 404 `not-found`
 */
export async function findStatic (root: string, pathname: string): Promise<StaticFile> {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    throw new ServerRequestError(400, 'bad-path', 'Malformed path')
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) {
    throw new ServerRequestError(400, 'bad-path', 'Refused path')
  }
  const wanted = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/u, '')
  const full = resolve(root, wanted)
  if (!inside(root, full)) throw new ServerRequestError(400, 'bad-path', 'Refused path')
  const real = await realpath(full).catch(() => undefined)
  if (real == null || !inside(root, real)) throw new ServerRequestError(404, 'not-found', t('server.notFound'))
  const st = await stat(real)
  if (!st.isFile()) throw new ServerRequestError(404, 'not-found', t('server.notFound'))
  return { path: real, size: st.size, type: contentType(real.slice(real.lastIndexOf('/') + 1)) || 'application/octet-stream' }
}

/** Answers with `file` (body only for `GET`); HTML is never cached, other files are revalidated. */
export function sendStatic (res: ServerResponse, file: StaticFile, method: string): void {
  res.writeHead(200, {
    'Content-Type': file.type,
    'Content-Length': file.size,
    'Cache-Control': file.type.startsWith('text/html') ? 'no-store' : 'no-cache'
  })
  if (method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file.path)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
