/**
 * The headless server behind `ferry serve`: the same app service as the desktop app, without Electron. It serves the
 * built renderer (`dist/renderer/`) on a loopback address, bridges the API contract (src-main/api) over a WebSocket,
 * and takes the files a browser drops as uploads that the app service then sends.
 *
 * ## Security
 * - Listens on loopback only (`127.0.0.1` by default, `::1`), never on other interfaces.
 * - A random 256-bit access token, printed in the URL (`http://127.0.0.1:<port>/?token=<hex>`). Every request — the
 *   page, its assets, the socket, uploads — must carry it: `?token=` in the URL, `Authorization: Bearer <token>`,
 *   or the cookie `ferry_token_<port>` (HttpOnly, SameSite=Strict, Path=/) that a page request with `?token=` sets,
 *   so the page's assets and socket carry it without script seeing it. Missing or wrong → 401. Compared in
 *   constant time. The browser client also removes the token from the address bar once read (`history.replaceState`).
 * - `Host` must be `127.0.0.1:<port>` or `localhost:<port>` (DNS-rebinding defence) → else 403; an `Origin` header,
 *   when present, must be this server's own origin → else 403 (a foreign site cannot use a cookie it cannot read).
 * - Every answer: a strict Content-Security-Policy (`default-src 'self'; script-src 'self'; style-src 'self';
 *   img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:<port> ws://localhost:<port>; object-src 'none';
 *   base-uri 'none'; form-action 'none'; frame-ancestors 'none'` — no inline script and no inline style
 *   attributes in markup; CSSOM `element.style` works), `X-Content-Type-Options: nosniff`,
 *   `Referrer-Policy: no-referrer` (the URL holds the token), `X-Frame-Options: DENY`.
 * - Static files only from strictly inside the static folder (after `realpath`), MIME types from `mime-types`.
 * - Cookies are shared by all ports of a host in browsers: the cookie is named per port; another web server on the
 *   same loopback address receives it if the browser visits that server. Treat the token like a password.
 *
 * ## HTTP endpoints (all behind the checks above; errors as `{ error: ApiErrorData }` JSON)
 * - `GET /`, `GET /<asset>` — the renderer.
 * - `POST /api/uploads` → 201 `{ uploadId }` — a new, empty upload (at most 32 open at once: 429 `too-many-uploads`).
 * - `PUT /api/uploads/<uploadId>/files?path=<relative path>&size=<bytes>` with the file's bytes as the body → 201
 *   `{ path, size }`. `path` is `/`-separated (`photos/2024/beach.jpg`) and goes through the core path-safety module
 *   before anything touches disk (400 `unsafe-path` with a `reason`); collisions within the upload are refused
 *   (409 `path-taken`, 400 `unsafe-path` `file-folder-collision`); the body must be exactly `size` bytes
 *   (400 `size-mismatch`); a full disk gives 507 `disk-full` and leaves nothing behind; more than `maxFiles` files
 *   give 413 `too-many-files`. Bytes go to a partial file and are moved into place only when complete.
 * - `DELETE /api/uploads/<uploadId>` → 204 — gives up an upload not yet sent.
 * - `GET /api/ws` — the WebSocket (below). `?apiVersion=<n>`: a page built for another contract version is closed
 *   with code 4001 (`api-version-mismatch`).
 *
 * Uploads live in `<dataDir>/uploads/<uploadId>/`. An open upload idle for 30 minutes is removed, and so is every
 * upload not yet sent when the server starts. After `sendUpload`, the app service owns the folder (it calls the
 * cleanup the server gave it when the transfer ends for good); a handed-over upload still on disk 7 days later is
 * removed at the next start.
 *
 * ## WebSocket wire format (JSON text frames, at most 64 KiB each)
 * - client → server: `{ "id": string | number, "call": CallName, "request": object }`
 * - server → client, the answer to a call: `{ "id", "ok": true, "result": Results[call] }` or
 *   `{ "id", "ok": false, "error": { "name", "code", "message" } }` (contract `ApiErrorData`)
 * - server → client, an event: `{ "event": EventName, "payload": Events[event] }` — every contract event, to every
 *   socket.
 * - A frame that is not JSON or not of the call shape is answered `{ "id": <id or null>, "ok": false, "error":
 *   { "code": "invalid-frame" } }`; more than 32 calls running on one socket → `too-many-calls`; an unknown call →
 *   `unknown-call`; a request the schema refuses → `invalid-request`; `sendLocalFiles` → `unsupported` (a browser
 *   has no paths); `sendUpload({ peerId, uploadId })` sends a finished upload (`upload-not-found`, `upload-busy`,
 *   `upload-empty`, `upload-closed`). A frame over 64 KiB closes the socket (1009); a socket that stops reading
 *   (16 MiB queued) is dropped; the page reconnects.
 *
 * @example
 * ```ts
 * import { startApp } from '../app/index.ts'
 * import { startServer } from '../server/index.ts'
 *
 * const app = await startApp({ ... , host: { kind: 'headless' } })
 * const server = await startServer({ app, staticDir: 'dist/renderer', dataDir, signal })
 * console.log(`Open ${server.url}`)   // http://127.0.0.1:41234/?token=9f…
 * // later
 * await server.close()
 * await app.stop()
 * ```
 */
export { startServer } from './server.ts'
export type { FerryServer, ServerInit } from './server.ts'
export type { ServedApp } from './app-port.ts'
export { MAX_PENDING_CALLS } from './constants.ts'
export type { UploadLimits } from './constants.ts'
export { RendererMissingError } from './errors.ts'
export { checkStaticDir } from './static.ts'
export { loadSession, saveSession } from './session.ts'
export type { ServeSession } from './session.ts'
