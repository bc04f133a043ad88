/**
 * Invariant: a packaged desktop app's main process (the bundled dist/electron/main.js) hands electron-updater's own
 * `autoUpdater` to the update checker configured as docs/UPDATES.md says — the feed `FERRY_UPDATE_URL` names, no
 * automatic download, no installation ID, no NSIS web installer, no downgrade — and follows the "Check for updates"
 * setting changed through IPC at once (install-on-quit off with it).
 *
 * Electron's binary is not available here: `electron` resolves to test/electron/fixtures/fake-electron.ts (packaged,
 * version 1.0.0, `net.request` on Node's http), so electron-updater picks its Linux AppImage updater (APPIMAGE is set
 * to a temp file) and asks the feed this test serves on 127.0.0.1. The first timed check comes 60 s after start, after
 * this test ends; the test asks `autoUpdater` itself.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createRequire, registerHooks } from 'node:module'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { AppUpdater } from 'electron-updater'
import { tempDir } from '../helpers/files.ts'
import { app as fakeApp, fake } from './fixtures/fake-electron.ts'
import { latestYml, serveFeed } from './fixtures/update-feed.ts'
import type { Feed } from './fixtures/update-feed.ts'

const exec = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '../..')
const node = path.join(repo, 'node_modules', '.bin', 'node')
const fakeElectronUrl = pathToFileURL(path.join(import.meta.dirname, 'fixtures', 'fake-electron.ts')).href
const ENV_KEYS = ['FERRY_RELAYS', 'FERRY_ICE_SERVERS', 'FERRY_MDNS', 'FERRY_UPNP', 'FERRY_DATA_DIR', 'FERRY_UPDATE_URL', 'APPIMAGE', 'XDG_CACHE_HOME'] as const

async function until (what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

type Reply = { ok: true, result: Record<string, unknown> } | { ok: false, error: { code: string } }

describe('main process update checks (bundled main.js, packaged, with a stand-in for electron)', () => {
  const appRoot = path.join(repo, 'dist', `.electron-updates-test-${process.pid}`)
  const saved = Object.fromEntries(ENV_KEYS.map(k => [k, process.env[k]]))
  const proc = process as NodeJS.Process & { resourcesPath?: string }
  let dir: string
  let feed: Feed
  let autoUpdater: AppUpdater

  before(async () => {
    dir = await tempDir('ferry-electron-updates-')
    feed = await serveFeed()
    const channel = process.arch === 'x64' ? 'latest-linux.yml' : `latest-linux-${process.arch}.yml`
    const appImage = randomBytes(4096)
    feed.files.set(channel, { body: latestYml('1.2.0', 'Ferry-1.2.0.AppImage', appImage) })
    feed.files.set('Ferry-1.2.0.AppImage', { body: appImage })

    const buildEnv = { ...process.env, FERRY_ELECTRON_OUT_DIR: path.join(appRoot, 'dist', 'electron') }
    await exec(node, [path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', path.join(repo, 'src-main', 'electron', 'vite.config.ts')], { cwd: repo, env: buildEnv })
    await mkdir(path.join(appRoot, 'dist', 'renderer'), { recursive: true })
    await writeFile(path.join(appRoot, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Ferry</title>')
    // What electron-builder puts into a packaged app with a `publish` entry: resources/app-update.yml.
    const resources = path.join(dir, 'resources')
    await mkdir(resources)
    await writeFile(path.join(resources, 'app-update.yml'), 'provider: generic\nurl: https://updates.invalid/ferry/\nupdaterCacheDirName: ferry-updater\n')
    await writeFile(path.join(dir, 'Ferry.AppImage'), 'old')
    proc.resourcesPath = resources
    fakeApp.isPackaged = true
    Object.assign(fake, { appRoot, nodePath: node, pickedDir: dir })
    Object.assign(process.env, {
      FERRY_RELAYS: 'none',
      FERRY_ICE_SERVERS: 'none',
      FERRY_MDNS: 'off',
      FERRY_UPNP: 'off',
      FERRY_DATA_DIR: path.join(dir, 'data'),
      FERRY_UPDATE_URL: feed.url,
      APPIMAGE: path.join(dir, 'Ferry.AppImage'),
      XDG_CACHE_HOME: path.join(dir, 'cache')
    })
    registerHooks({
      resolve: (specifier, context, next) => specifier === 'electron' ? { url: fakeElectronUrl, shortCircuit: true } : next(specifier, context)
    })
    await import(pathToFileURL(path.join(appRoot, 'dist', 'electron', 'main.js')).href)
    await until('the tray (main started the core)', () => fake.trays.length === 1)
    // The instance main configured: electron-updater's module from node_modules, as main.js loads it.
    autoUpdater = (createRequire(path.join(repo, 'package.json'))('electron-updater') as { autoUpdater: AppUpdater }).autoUpdater
  })

  after(async () => {
    for (const child of fake.children) if (child.exitCode == null) child.kill()
    for (const k of ENV_KEYS) { if (saved[k] == null) delete process.env[k]; else process.env[k] = saved[k] }
    Reflect.deleteProperty(process, 'resourcesPath')
    await feed.close()
    await rm(appRoot, { recursive: true, force: true })
    await rm(dir, { recursive: true, force: true })
  })

  const win = () => fake.windows[0]!
  const call = async (name: string, request: unknown): Promise<Reply> =>
    await fake.ipc.get(`ferry:call:${name}`)!({ sender: { id: win().webContents.id }, senderFrame: { ...win().webContents.mainFrame } }, request) as Reply

  it('configures electron-updater as documented and asks the FERRY_UPDATE_URL feed', async () => {
    assert.equal(autoUpdater.constructor.name, 'AppImageUpdater')
    assert.equal(autoUpdater.autoDownload, false)
    assert.equal(autoUpdater.allowDowngrade, false)
    assert.equal(autoUpdater.disableWebInstaller, true)
    assert.equal(autoUpdater.autoInstallOnAppQuit, true, 'the setting is on by default')
    assert.equal(autoUpdater.requestHeaders?.['x-user-staging-id'], 'none')
    assert.equal(feed.requests.length, 0, 'nothing is fetched before the first timed check')
    const result = await autoUpdater.checkForUpdates()
    assert.equal(result?.isUpdateAvailable, true)
    assert.equal(result?.updateInfo.version, '1.2.0')
    assert.match(feed.requests[0]?.path ?? '', /^\/updates\/latest-linux/, 'the feed of FERRY_UPDATE_URL, not app-update.yml\'s URL')
    assert.equal(feed.requests[0]?.headers['x-user-staging-id'], 'none')
  })

  it('follows the "Check for updates" setting changed in Settings (IPC) at once', async () => {
    const off = await call('updateSettings', { checkForUpdates: false })
    assert.equal(off.ok && off.result.checkForUpdates, false)
    await until('install-on-quit turned off', () => !autoUpdater.autoInstallOnAppQuit)
    const on = await call('updateSettings', { checkForUpdates: true })
    assert.equal(on.ok && on.result.checkForUpdates, true)
    await until('install-on-quit turned on', () => autoUpdater.autoInstallOnAppQuit)
  })

  it('quits cleanly', async () => {
    const child = fake.children[0]!
    const exited = new Promise<number | null>(resolve => { if (child.exitCode != null) resolve(child.exitCode); else child.once('exit', code => { resolve(code) }) })
    fakeApp.quit()
    assert.equal(await exited, 0)
    assert.deepEqual(fake.errors, [])
  })
})
