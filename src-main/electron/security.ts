/**
 * The Electron shell's security policy as plain data and pure functions, so every rule is unit-tested in Node
 * without the Electron binary: the window's `webPreferences`, the Content-Security-Policy, which IPC senders are
 * trusted, which URLs may leave the app for the system browser, which permissions the page gets, and how an
 * `app://ferry/…` URL maps to a file under `dist/renderer/`.
 *
 * Sources: Electron's security checklist (docs/tutorial/security.md: sandbox, context isolation, CSP, custom
 * protocol instead of `file://`, validate IPC senders, deny navigation and new windows, `shell.openExternal` only for
 * trusted URLs, permission handlers); Element Desktop `src/electron-main.ts` and `src/webcontents-handler.ts`.
 */
import path from 'node:path'
import type { WebPreferences } from 'electron'

/** The custom scheme the renderer is served from (registered privileged: standard, secure, fetch). */
export const APP_SCHEME = 'app'
/** The one host of {@link APP_SCHEME}; `app://ferry/` is the page's origin. */
export const APP_HOST = 'ferry'
/** The page's origin. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
/** The URL the window loads. */
export const START_URL = `${APP_ORIGIN}/index.html`

/**
 * The page's Content-Security-Policy, sent as a response header on every `app://` response.
 * - Scripts and styles only from the app's own files: no inline script or `<style>`, no `eval`, no remote code.
 *   (Svelte's `style:` directives set styles through the CSSOM, which `style-src` does not govern; the renderer test
 *   test/electron/renderer-under-shell-policy.test.ts loads the real UI under this policy and fails on any violation.)
 * - `img-src data: blob:`: the invite QR code is an SVG the page may show as a `data:` image.
 * - `connect-src 'self'`: the page talks to the core only through the preload (IPC), never over the network.
 * - No frames, no plugins, no `<base>`, no form submissions.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

/**
 * `webPreferences` of Ferry's window: sandboxed renderer, isolated preload, no Node in the page, web security on, no
 * `<webview>`, no navigation by drag-and-drop (dropped files are handled by the page, never opened as a URL).
 *
 * @param preloadPath - absolute path of the bundled preload (`dist/electron/preload.cjs`)
 * @param options.devTools - allow DevTools (development runs only: `!app.isPackaged`); default false
 */
export function windowWebPreferences (preloadPath: string, options: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInSubFrames: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools === true
  }
}

/** True for a URL on Ferry's own origin (`app://ferry/…`). */
export function isAppUrl (raw: string): boolean {
  const url = parseUrl(raw)
  return url != null && url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === ''
}

/** What an IPC handler knows about who sent a message: the frame and the webContents it belongs to. */
export interface SenderInfo {
  /** `event.senderFrame` (null when the frame navigated away or was destroyed). */
  senderFrame: { url: string, parent: unknown, processId: number, routingId: number } | null
  /** `event.sender.id` */
  senderId: number
}

/** Ferry's window, as far as sender validation needs it: its webContents ID and main frame. */
export interface TrustedWindow {
  webContentsId: number
  mainFrame: { processId: number, routingId: number }
}

/**
 * Whether an IPC message comes from Ferry's page: the sender is our window's webContents, the frame is its main frame
 * (not a subframe, not a destroyed frame), and the frame's URL is on `app://ferry/`. Anything else — another window,
 * a `file://` or `https://` page, a subframe, a frame that navigated away — is refused.
 *
 * @param window - our window, or undefined when it does not exist (then nothing is trusted)
 */
export function isTrustedSender (sender: SenderInfo, window: TrustedWindow | undefined): boolean {
  const frame = sender.senderFrame
  if (window == null || frame == null) return false
  if (sender.senderId !== window.webContentsId) return false
  if (frame.parent != null) return false
  if (frame.processId !== window.mainFrame.processId || frame.routingId !== window.mainFrame.routingId) return false
  return isAppUrl(frame.url)
}

/** Longest URL handed to the system browser, characters. */
export const MAX_EXTERNAL_URL_CHARS = 2048

/**
 * The URL to give `shell.openExternal`, or null when it must not leave the app: only `http:` and `https:` URLs with
 * a host and without credentials (`https://user:pass@host` is a phishing shape), at most
 * {@link MAX_EXTERNAL_URL_CHARS}. Returns the parsed URL's own serialisation, never the raw input, so what is opened
 * is exactly what was checked.
 */
export function externalUrl (raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_EXTERNAL_URL_CHARS) return null
  const url = parseUrl(raw)
  if (url == null) return null
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  if (url.hostname === '' || url.username !== '' || url.password !== '') return null
  return url.href
}

/** True when {@link externalUrl} accepts `raw`. */
export function isAllowedExternalUrl (raw: unknown): boolean {
  return externalUrl(raw) != null
}

/**
 * Permissions the page is granted; everything else (camera, microphone, geolocation, notifications from the page,
 * clipboard read, HID/serial/USB, …) is denied.
 * - `clipboard-sanitized-write`: "Copy invite" writes the invite text with `navigator.clipboard.writeText`. Writing
 *   sanitized text reveals nothing to the page and the page's own text is all it can put there.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

/**
 * Whether the page may have `permission`: only permissions in {@link ALLOWED_PERMISSIONS}, and only for our own
 * origin (`requestingUrl` is the requesting frame's URL or origin).
 */
export function isPermissionAllowed (permission: string, requestingUrl: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl)
}

/**
 * Maps an `app://ferry/<path>` request URL to a file under `root` (the built renderer, `dist/renderer/`), or null when
 * the request must get a 404: another scheme or host, credentials in the URL, a path that does not decode,
 * `..` segments (also percent-encoded: `%2e%2e`, `..%2f`), backslashes, NUL, drive letters or any `:`, or a result
 * outside `root`. `/` maps to `index.html`. The query and fragment are ignored.
 *
 * @param root - absolute path of the directory served
 */
export function resolveAppPath (root: string, requestUrl: string): string | null {
  const url = parseUrl(requestUrl)
  if (url == null || url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null
  if (url.username !== '' || url.password !== '') return null
  let decoded: string
  try {
    decoded = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.includes(':')) return null
  const segments = decoded.split('/').filter(s => s !== '' && s !== '.')
  if (segments.some(s => s === '..')) return null
  if (segments.length === 0) segments.push('index.html')
  const base = path.resolve(root)
  const resolved = path.resolve(base, ...segments)
  const rel = path.relative(base, resolved)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null
  return resolved
}

function parseUrl (raw: string): URL | null {
  try {
    return new URL(raw)
  } catch {
    return null
  }
}
