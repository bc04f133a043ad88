/**
 * The request checks every HTTP request and WebSocket upgrade passes before anything else runs, and the response
 * headers every answer carries. Rules and their sources:
 * - `Host` must name this server (`127.0.0.1:<port>`, `localhost:<port>`): a DNS-rebinding page reaches the port
 *   under its own host name and is refused (OWASP "DNS rebinding"; Jupyter's `allow_remote_access` check).
 * - `Origin`, when sent, must be this server's own origin: another site's page cannot drive the API or open the
 *   socket even with a stolen cookie (RFC 6455 §10.2; Origin is sent by browsers on every cross-origin request).
 * - The access token: `?token=` in the URL, `Authorization: Bearer`, or the `ferry_token_<port>` cookie (HttpOnly,
 *   SameSite=Strict) that the page's first answer sets, so the page's assets and its socket carry it unasked.
 *   Compared in constant time (`crypto.timingSafeEqual` over SHA-256 digests, so lengths never leak either).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import { TOKEN_BYTES } from './constants.ts'
import { t } from '../text/index.ts'
import { ServerRequestError } from './errors.ts'

/** A new random access token: {@link TOKEN_BYTES} random bytes as lower-case hex. */
export function newToken (): string {
  return randomBytes(TOKEN_BYTES).toString('hex')
}

/** Name of the token cookie: per port, because browsers share cookies across the ports of one host. */
export function cookieName (port: number): string {
  return `ferry_token_${port}`
}

/** `true` if `given` equals `expected`, compared in constant time (no early exit, no length leak). */
export function tokensEqual (given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}

/** Where a request may come from: the host names it may use and the origins of this server's page. */
export interface Allowed {
  port: number
  /** Lower-case `Host` header values accepted, e.g. `127.0.0.1:5173`, `localhost:5173`. */
  hosts: ReadonlySet<string>
  /** `Origin` values accepted: `http://` + each host. */
  origins: ReadonlySet<string>
}

/** The hosts and origins of a server bound to loopback address `host` on `port`. */
export function allowedFor (host: string, port: number): Allowed {
  const bound = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  const hosts = new Set([bound, `localhost:${port}`, `127.0.0.1:${port}`].map(h => h.toLowerCase()))
  return { port, hosts, origins: new Set([...hosts].map(h => `http://${h}`)) }
}

function cookieValue (header: string | undefined, name: string): string | undefined {
  if (header == null) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** The token a request carries (query, then `Authorization: Bearer`, then the cookie), if any. */
export function tokenOf (headers: IncomingHttpHeaders, url: URL, port: number): { token: string, from: 'query' | 'header' | 'cookie' } | undefined {
  const query = url.searchParams.get('token')
  if (query != null) return { token: query, from: 'query' }
  const auth = headers.authorization
  if (auth?.startsWith('Bearer ') === true) return { token: auth.slice(7).trim(), from: 'header' }
  const cookie = cookieValue(headers.cookie, cookieName(port))
  if (cookie != null) return { token: cookie, from: 'cookie' }
  return undefined
}

/**
 * Checks `Host`, `Origin` and the token of a request, in that order.
 *
 * @returns where the (valid) token came from
 * @throws {ServerRequestError} 403 `host-not-allowed`, 403 `origin-not-allowed`, 401 `token-required` or
 *   `token-invalid`
 */
export function checkRequest (headers: IncomingHttpHeaders, url: URL, allowed: Allowed, token: string): 'query' | 'header' | 'cookie' {
  const host = headers.host?.toLowerCase()
  if (host == null || !allowed.hosts.has(host)) {
    throw new ServerRequestError(403, 'host-not-allowed', t('server.hostNotAllowed'))
  }
  const origin = headers.origin
  if (origin != null && !allowed.origins.has(origin.toLowerCase())) {
    throw new ServerRequestError(403, 'origin-not-allowed', t('server.originNotAllowed'))
  }
  const given = tokenOf(headers, url, allowed.port)
  if (given == null) throw new ServerRequestError(401, 'token-required', t('server.tokenRequired'))
  if (!tokensEqual(given.token, token)) throw new ServerRequestError(401, 'token-invalid', t('server.tokenInvalid'))
  return given.from
}

/** The `Set-Cookie` value that carries the token for the page's assets and socket. */
export function tokenCookie (port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`
}

/**
 * The Content-Security-Policy of every answer: only this server's own scripts, styles and sockets; no inline script
 * or style, no plugins, no framing, no `<base>`, no form posts.
 */
export function contentSecurityPolicy (port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}

/** Headers every answer carries (CSP, nosniff, no referrer: the URL holds the token, no framing). */
export function securityHeaders (port: number): OutgoingHttpHeaders {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin'
  }
}
