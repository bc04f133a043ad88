/**
 * Electron main process (bundled to `dist/electron/main.js`): one instance, the `app://ferry/` protocol, the hardened
 * window, the core in a `utilityProcess`, IPC, tray, notifications and update checks. Every decision with logic lives
 * in a tested module; this file only wires Electron's objects to them.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import electronUpdater from 'electron-updater'
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, protocol, session, shell, Tray, utilityProcess } from 'electron'
import type { IpcMainInvokeEvent, UtilityProcess } from 'electron'
import { createAppProtocolHandler } from './app-protocol.ts'
import { connectCore } from './core-rpc.ts'
import type { CoreClient, HostCalls, Port } from './core-rpc.ts'
import { hardenWebContents } from './guards.ts'
import { forwardEvents, registerIpcHandlers } from './ipc.ts'
import { createNotifier } from './notifications.ts'
import { APP_SCHEME, isPermissionAllowed, isTrustedSender, START_URL, windowWebPreferences } from './security.ts'
import type { SenderInfo, TrustedWindow } from './security.ts'
import { createTray } from './tray.ts'
import { createUpdateChecker, followSetting, updateFeed } from './updates.ts'
import type { UpdateFeed } from './updates.ts'
import { ApiError } from '../api/constants.ts'
import { readEnvironment } from '../app/environment.ts'
import { resolveLanguage, setLanguage, t } from '../text/index.ts'
import type { LanguageChoice } from '../text/index.ts'

/** How long quitting waits for the core to stop (finish writes, close SQLite) before killing it, ms. */
const CORE_STOP_TIMEOUT_MS = 5000
/** How long a stopped core's process gets to exit by itself before it is killed, ms. */
const CORE_EXIT_GRACE_MS = 2000

// Before `ready`: the scheme must be standard (relative URLs, origin), secure (like https) and fetch-capable.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
// The same data directory as the CLI: `<appData>/Ferry`, or FERRY_DATA_DIR (which also lets two instances run).
app.setName('Ferry')
const dataDir = readEnvironment().dataDir
if (dataDir != null) app.setPath('userData', path.resolve(dataDir))

let win: BrowserWindow | undefined
let core: CoreClient | undefined
let child: UtilityProcess | undefined
let quitting = false
let coreStopped = false
let coreExited = false
const lifetime = new AbortController()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', showWindow)
  app.on('web-contents-created', (_event, contents) => { hardenWebContents(contents, async url => { await shell.openExternal(url) }) })
  app.on('activate', showWindow)
  app.on('before-quit', event => {
    quitting = true
    if (coreStopped || core == null) return
    event.preventDefault()
    void stopCore().finally(() => { app.quit() })
  })
  // Closing the window keeps Ferry receiving in the tray; "Quit Ferry" (tray, app menu) quits.
  app.on('window-all-closed', () => {})
  app.whenReady().then(start).catch(fail)
}

async function start (): Promise<void> {
  const root = app.getAppPath()
  // The system's language until the settings say otherwise (below, once the core answers).
  setLanguage(resolveLanguage('system', app.getLocale()))
  // First, so a malformed FERRY_UPDATE_URL stops the start before the core runs.
  const feed = updateFeed(readEnvironment(), {
    isPackaged: app.isPackaged,
    hasBuiltInFeed: app.isPackaged && existsSync(path.join(process.resourcesPath, 'app-update.yml'))
  })
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => { callback(isPermissionAllowed(permission, details.requestingUrl)) })
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin))
  ses.on('will-download', event => { event.preventDefault() })
  protocol.handle(APP_SCHEME, createAppProtocolHandler(path.join(root, 'dist', 'renderer')))

  const host: HostCalls = {
    showInFolder: async absPath => { shell.showItemInFolder(absPath) },
    openPath: async absPath => {
      const problem = await shell.openPath(absPath)
      if (problem !== '') throw new ApiError('open-failed', problem)
    },
    chooseDownloadDir: async () => {
      const options = { title: t('electron.downloadFolder'), properties: ['openDirectory' as const, 'createDirectory' as const] }
      const result = win != null && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      return result.canceled ? null : result.filePaths[0] ?? null
    }
  }
  child = utilityProcess.fork(path.join(root, 'dist', 'electron', 'core.js'), [], { serviceName: 'Ferry core', stdio: 'inherit' })
  const running = connectCore(childPort(child), { dataDir: app.getPath('userData'), locale: app.getLocale() }, host)
  core = running
  child.on('exit', code => {
    running.close(`The Ferry core exited (code ${code})`)
    coreStopped = true
    coreExited = true
    if (!quitting) {
      dialog.showErrorBox(t('electron.stopped'), t('electron.stopped.body', { code: String(code) }))
      app.quit()
    }
  })

  registerIpcHandlers({ ipcMain, handlers: running.handlers, isTrusted: event => isTrustedSender(senderInfo(event), trustedWindow()), signal: lifetime.signal })
  forwardEvents(running, (channel, payload) => { if (win != null && !win.isDestroyed()) win.webContents.send(channel, payload) })
  createWindow(root)

  try {
    await running.started
  } catch (err) {
    if (!quitting) dialog.showErrorBox(t('electron.couldNotStart'), err instanceof Error ? err.message : String(err))
    app.quit()
    return
  }
  const snapshot = await running.handlers.getSnapshot({}, lifetime.signal).catch(() => undefined)
  // Notifications and the tray speak the language setting (`system`: Electron's locale), as the page does.
  const followLanguage = (choice: LanguageChoice | undefined): void => { setLanguage(resolveLanguage(choice, app.getLocale())) }
  followLanguage(snapshot?.settings.language)
  running.on('settings', settings => { followLanguage(settings.language) })
  const icon = (name: string): string => path.join(root, 'assets', name)
  const trayImage = nativeImage.createFromPath(icon(process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'))
  const tray = createTray({
    tray: new Tray(trayImage),
    buildMenu: template => Menu.buildFromTemplate(template),
    events: running,
    show: showWindow,
    quit: () => { app.quit() },
    ...(snapshot != null ? { initial: { relayStatus: snapshot.identity.relayStatus, offers: snapshot.offers } } : {})
  })
  createNotifier({
    Notification,
    supported: Notification.isSupported(),
    events: running,
    isFocused: () => win != null && !win.isDestroyed() && win.isVisible() && win.isFocused(),
    focus: showWindow,
    icon: icon('icon.png')
  })
  app.on('will-quit', () => { tray.destroy() })
  if (feed != null) startUpdateChecks(running, feed, snapshot?.settings.checkForUpdates ?? true, icon('icon.png'))
}

/** Update checks (updates.ts) following the "Check for updates" setting; a notification once an update is ready. */
function startUpdateChecks (running: CoreClient, feed: UpdateFeed, enabled: boolean, icon: string): void {
  // electron-updater picks the updater of this installer (NSIS, dmg via Squirrel.Mac, AppImage, deb) on first use.
  const checker = createUpdateChecker({
    updater: electronUpdater.autoUpdater,
    feed,
    enabled,
    onDownloaded: version => {
      if (!Notification.isSupported()) return
      const note = new Notification({ title: t('electron.updateReady', { version }), body: t('electron.updateReady.body'), icon })
      note.on('click', showWindow)
      note.show()
    }
  })
  followSetting(checker, running)
  app.on('will-quit', () => { checker.stop() })
}

function createWindow (root: string): void {
  win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    title: 'Ferry',
    show: false,
    icon: path.join(root, 'assets', 'icon.png'),
    webPreferences: windowWebPreferences(path.join(root, 'dist', 'electron', 'preload.cjs'), { devTools: !app.isPackaged })
  })
  win.once('ready-to-show', () => { win?.show() })
  win.on('close', event => {
    if (quitting) return
    event.preventDefault()
    win?.hide()
  })
  void win.loadURL(START_URL)
}

function showWindow (): void {
  if (!app.isReady()) return
  if (win == null || win.isDestroyed()) {
    createWindow(app.getAppPath())
    return
  }
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}

/** Our window as sender validation sees it, read fresh on every call (the main frame changes on reload). */
function trustedWindow (): TrustedWindow | undefined {
  if (win == null || win.isDestroyed()) return undefined
  const frame = win.webContents.mainFrame
  return { webContentsId: win.webContents.id, mainFrame: { processId: frame.processId, routingId: frame.routingId } }
}

function senderInfo (event: IpcMainInvokeEvent): SenderInfo {
  try {
    const f = event.senderFrame
    return { senderId: event.sender.id, senderFrame: f == null ? null : { url: f.url, parent: f.parent, processId: f.processId, routingId: f.routingId } }
  } catch {
    return { senderId: event.sender.id, senderFrame: null } // the frame was disposed
  }
}

function childPort (proc: UtilityProcess): Port {
  return {
    post: message => { proc.postMessage(message) },
    onMessage: listener => {
      proc.on('message', listener)
      return () => { proc.off('message', listener) }
    }
  }
}

/** Stops the app service (≤ {@link CORE_STOP_TIMEOUT_MS}), lets the core process exit by itself, else kills it. */
async function stopCore (): Promise<void> {
  lifetime.abort()
  const delay = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms).unref()) }
  const proc = child
  const exited = new Promise<void>(resolve => { if (proc == null) resolve(); else proc.once('exit', () => { resolve() }) })
  await Promise.race([core?.stop() ?? Promise.resolve(), delay(CORE_STOP_TIMEOUT_MS)]).catch(() => {})
  await Promise.race([exited, delay(CORE_EXIT_GRACE_MS)])
  coreStopped = true
  if (!coreExited) proc?.kill()
}

function fail (err: unknown): void {
  dialog.showErrorBox(t('electron.couldNotStart'), err instanceof Error ? err.message : String(err))
  app.exit(1)
}
