/**
 * The Electron shell of the Ferry desktop app: a thin main process around the app service (src-main/app) and the
 * Svelte renderer (dist/renderer). It is the only place in the repository that imports `electron`.
 *
 * Processes and files:
 * - **main** (`main.ts` → `dist/electron/main.js`, package.json `main`): one instance (`requestSingleInstanceLock`);
 *   the `app://ferry/` scheme (privileged: standard, secure, fetch) serving `dist/renderer/` with path containment and
 *   the CSP ({@link createAppProtocolHandler}); one window — sandboxed, context-isolated, no Node, no `<webview>`
 *   ({@link windowWebPreferences}) — whose navigation, redirects and new windows are denied, http(s) links going to
 *   the system browser only after {@link externalUrl} ({@link hardenWebContents}); every permission denied except
 *   `clipboard-sanitized-write` for "Copy invite" ({@link isPermissionAllowed}); downloads refused; tray
 *   ({@link createTray}) and notifications ({@link createNotifier}). Closing the window keeps Ferry receiving in the
 *   tray; "Quit Ferry" stops the core (≤ 5 s) and quits.
 * - **core** (`core-process.ts` → `dist/electron/core.js`, an Electron `utilityProcess`): the app service
 *   (`startApp({ dataDir, host: { kind: 'electron', … } })`) with libp2p, hashing and SQLite, so the window's process
 *   never stalls while bytes flow. Main talks to it with {@link connectCore}, the core answers with
 *   {@link serveCore}: calls (validated by the contract's `dispatch` in the core), aborts, events, and the host calls
 *   only main can make (`shell.showItemInFolder`, the folder picker) going back to main.
 * - **preload** (`preload.ts` → `dist/electron/preload.cjs`, one CommonJS file, as sandboxed preloads must be):
 *   exposes `window.ferry` ({@link createPreloadApi}) — one function per page call, `on(event, listener)` returning
 *   an unsubscribe and never passing the IPC event, `sendFiles` resolving dropped files with `webUtils.getPathForFile`.
 *   Failed calls reject with plain `{ name, code, message }` data, because `contextBridge` keeps only the message of an
 *   `Error`.
 * - **IPC** ({@link registerIpcHandlers}): one `ipcMain.handle(ipcChannel(name, 'call'))` per contract call (not the
 *   headless-only `sendUpload`); each refuses a sender that is not our window's main frame on `app://ferry/`
 *   ({@link isTrustedSender}) before parsing anything, re-checks `sendLocalFiles` paths on disk (`checkLocalFiles`
 *   of src-main/app/local-files.ts, the app service's own check), and answers with an envelope so error codes
 *   survive. Events go to the window with `webContents.send(ipcChannel(name, 'event'), payload)`
 *   ({@link forwardEvents}).
 * - **updates** ({@link createUpdateChecker}, {@link updateFeed}): electron-updater's `autoUpdater` in main asks a
 *   generic feed (the `app-update.yml` electron-builder builds in; `FERRY_UPDATE_URL` replaces its URL) a minute after
 *   start and every 6 h while the "Check for updates" setting is on (main follows `settings` events); a newer version
 *   is downloaded, checked against the feed's SHA-512 (on Windows also its publisher, when the build names one) and
 *   installed when Ferry quits. Unpackaged runs check nothing. docs/UPDATES.md.
 *
 * Data directory: `app.getPath('userData')` with the app named `Ferry` — the CLI's default (`~/.config/Ferry`,
 * `~/Library/Application Support/Ferry`, `%APPDATA%\Ferry`); `FERRY_DATA_DIR` overrides it. Network settings come
 * from the environment as for the CLI (`FERRY_RELAYS`, `FERRY_ICE_SERVERS`, `FERRY_MDNS`), else the stored settings.
 *
 * Build: `vite build -c src-main/electron/vite.config.ts` (main, core) and `… --mode preload`; run with `electron .`;
 * package with `electron-builder` (electron-builder.yml: every fuse explicit, native modules unpacked). Electron's
 * binary is not downloadable where this was written: the shell type-checks against Electron's types, and every piece
 * of logic is in the plain modules below, tested in Node under test/electron/.
 *
 * @example
 * ```ts
 * // main process (see main.ts)
 * const core = connectCore(childPort, { dataDir: app.getPath('userData') }, { showInFolder, chooseDownloadDir })
 * registerIpcHandlers({ ipcMain, handlers: core.handlers, isTrusted: e => isTrustedSender(senderInfo(e), ourWindow()), signal })
 * forwardEvents(core, (channel, payload) => win.webContents.send(channel, payload))
 * // preload (see preload.ts)
 * contextBridge.exposeInMainWorld('ferry', createPreloadApi({ invoke, on, removeListener, getPathForFile }))
 * ```
 */
export {
  ALLOWED_PERMISSIONS, APP_HOST, APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, externalUrl, isAllowedExternalUrl,
  isAppUrl, isPermissionAllowed, isTrustedSender, MAX_EXTERNAL_URL_CHARS, resolveAppPath, START_URL, windowWebPreferences
} from './security.ts'
export type { SenderInfo, TrustedWindow } from './security.ts'
export { createAppProtocolHandler, securityHeaders } from './app-protocol.ts'
export { hardenWebContents } from './guards.ts'
export type { GuardedContents } from './guards.ts'
export { ELECTRON_CALLS, forwardEvents, registerIpcHandlers } from './ipc.ts'
export type { EventSource, IpcHandlersInit, IpcMainLike, IpcReply } from './ipc.ts'
export { createPreloadApi, PAGE_CALLS } from './preload-api.ts'
export type { PreloadDeps } from './preload-api.ts'
export { connectCore, serveCore } from './core-rpc.ts'
export type { AppLike, CoreClient, HostCalls, Port } from './core-rpc.ts'
export { appInitFor, runCore } from './core-main.ts'
export type { CoreInit } from './core-main.ts'
export { createTray, trayMenuTemplate, trayStatusText } from './tray.ts'
export type { TrayInit, TrayState } from './tray.ts'
export { createNotifier, offerNotification, transferNotification } from './notifications.ts'
export type { NotifierInit } from './notifications.ts'
export {
  createUpdateChecker, followSetting, STAGING_ID_HEADER, UPDATE_CHECK_DELAY_MS, UPDATE_CHECK_INTERVAL_MS, UpdateFeedError, updateFeed
} from './updates.ts'
export type { SettingsEvents, UpdateChecker, UpdateCheckerInit, UpdateFeed, UpdateOutcome, UpdaterLike } from './updates.ts'
