/**
 * Invariant: the bundled main process (dist/electron/main.js) wires Electron as the security policy says — the
 * privileged `app` scheme, the `app://ferry/` handler with path containment, a sandboxed window loaded from
 * `app://ferry/index.html`, navigation and new windows denied, permissions denied but clipboard writes, downloads
 * refused, IPC answered only for our window's main frame — and drives the real core in its utility process (data in
 * FERRY_DATA_DIR, host calls served by main, events forwarded to the window, tray and notifications following them),
 * and quitting stops the core, whose process then exits on its own.
 *
 * Electron's binary is not available here, so `electron` resolves to test/electron/fixtures/fake-electron.ts, which
 * records the calls and runs the utility process as a real Node child with a `process.parentPort`.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { registerHooks } from 'node:module'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security.ts'
import { tempDir } from '../helpers/files.ts'
import { app as fakeApp, fake } from './fixtures/fake-electron.ts'

const exec = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '../..')
const node = path.join(repo, 'node_modules', '.bin', 'node')
const fakeElectronUrl = pathToFileURL(path.join(import.meta.dirname, 'fixtures', 'fake-electron.ts')).href

async function until (what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

type Reply = { ok: true, result: Record<string, unknown> } | { ok: false, error: { code: string } }

describe('main process wiring (bundled main.js with a stand-in for electron)', () => {
  // inside the repository (gitignored dist/), so the bundles resolve their packages from node_modules
  const appRoot = path.join(repo, 'dist', `.electron-main-test-${process.pid}`)
  let dir: string
  const env = { FERRY_RELAYS: process.env.FERRY_RELAYS, FERRY_ICE_SERVERS: process.env.FERRY_ICE_SERVERS, FERRY_MDNS: process.env.FERRY_MDNS, FERRY_UPNP: process.env.FERRY_UPNP, FERRY_DATA_DIR: process.env.FERRY_DATA_DIR }

  before(async () => {
    dir = await tempDir('ferry-electron-main-')
    const buildEnv = { ...process.env, FERRY_ELECTRON_OUT_DIR: path.join(appRoot, 'dist', 'electron') }
    const vite = path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js')
    const config = path.join(repo, 'src-main', 'electron', 'vite.config.ts')
    await exec(node, [vite, 'build', '-c', config], { cwd: repo, env: buildEnv })
    await mkdir(path.join(appRoot, 'dist', 'renderer'), { recursive: true })
    await writeFile(path.join(appRoot, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Ferry</title>')
    await mkdir(path.join(dir, 'Downloads'))
    Object.assign(fake, { appRoot, nodePath: node, pickedDir: path.join(dir, 'Downloads') })
    Object.assign(process.env, { FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none', FERRY_MDNS: 'off', FERRY_UPNP: 'off', FERRY_DATA_DIR: path.join(dir, 'data') })
    registerHooks({
      resolve: (specifier, context, next) => specifier === 'electron' ? { url: fakeElectronUrl, shortCircuit: true } : next(specifier, context)
    })
    await import(pathToFileURL(path.join(appRoot, 'dist', 'electron', 'main.js')).href)
    await until('the tray (main started the core)', () => fake.trays.length === 1)
  })

  after(async () => {
    for (const child of fake.children) if (child.exitCode == null) child.kill()
    for (const [k, v] of Object.entries(env)) { if (v == null) delete process.env[k]; else process.env[k] = v }
    await rm(appRoot, { recursive: true, force: true })
    await rm(dir, { recursive: true, force: true })
  })

  const win = () => fake.windows[0]!
  const trusted = () => ({ sender: { id: win().webContents.id }, senderFrame: { ...win().webContents.mainFrame } })
  const call = async (name: string, request: unknown, event: unknown = trusted()): Promise<Reply> =>
    await fake.ipc.get(`ferry:call:${name}`)!(event, request) as Reply

  it('registers the app scheme as privileged and serves only the renderer, with the CSP', async () => {
    assert.deepEqual(fake.privileged, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }])
    const handle = fake.protocols.get('app')!
    const page = await handle(new Request('app://ferry/index.html'))
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY)
    assert.equal((await handle(new Request('app://ferry/..%2f..%2fpackage.json'))).status, 404)
    assert.equal((await handle(new Request('app://ferry/electron/main.js'))).status, 404)
  })

  it('opens one sandboxed window from app://ferry/index.html with the bundled preload', () => {
    assert.equal(fake.windows.length, 1)
    assert.equal(win().loaded, 'app://ferry/index.html')
    const prefs = win().options.webPreferences as Record<string, unknown>
    assert.equal(prefs.sandbox, true)
    assert.equal(prefs.contextIsolation, true)
    assert.equal(prefs.nodeIntegration, false)
    assert.equal(prefs.preload, path.join(appRoot, 'dist', 'electron', 'preload.cjs'))
    assert.equal(win().visible, true)
  })

  it('denies navigation and new windows; an https link goes to the system browser', async () => {
    let prevented = false
    win().webContents.emit('will-navigate', { url: 'https://example.com/', preventDefault: () => { prevented = true } })
    assert.equal(prevented, true)
    assert.deepEqual(win().webContents.windowOpenHandler!({ url: 'file:///etc/passwd' }), { action: 'deny' })
    assert.deepEqual(win().webContents.windowOpenHandler!({ url: 'https://ferry.example/help' }), { action: 'deny' })
    await until('openExternal', () => fake.opened.length === 2)
    assert.deepEqual(fake.opened, ['https://example.com/', 'https://ferry.example/help'])
  })

  it('denies permissions except clipboard writes from our origin, and refuses downloads', () => {
    const ask = (permission: string, url: string): boolean => {
      let granted: boolean | undefined
      fake.permissionRequest!({}, permission, (g: boolean) => { granted = g }, { requestingUrl: url })
      return granted!
    }
    assert.equal(ask('media', 'app://ferry/index.html'), false)
    assert.equal(ask('notifications', 'app://ferry/index.html'), false)
    assert.equal(ask('clipboard-sanitized-write', 'app://ferry/index.html'), true)
    assert.equal(ask('clipboard-sanitized-write', 'https://evil.example/'), false)
    assert.equal(fake.permissionCheck!({}, 'clipboard-read', 'app://ferry'), false)
    let prevented = false
    fake.sessionEvents.get('will-download')!({ preventDefault: () => { prevented = true } })
    assert.equal(prevented, true)
  })

  it('answers our window\'s main frame from the real core, in the data directory FERRY_DATA_DIR names', async () => {
    const reply = await call('getSnapshot', {})
    assert.ok(reply.ok, JSON.stringify(reply))
    assert.deepEqual(reply.result.capabilities, { host: 'electron', showInFolder: true, openFile: true, download: false, chooseDownloadDir: true, checkForUpdates: true })
    assert.ok((await stat(path.join(dir, 'data', 'identity.key'))).isFile())
  })

  it('refuses other frames, origins and windows before the core sees anything', async () => {
    const t = trusted()
    for (const event of [
      { ...t, senderFrame: { ...t.senderFrame, url: 'https://evil.example/' } },
      { ...t, senderFrame: { ...t.senderFrame, parent: {} } },
      { ...t, senderFrame: { ...t.senderFrame, routingId: 9 } },
      { ...t, sender: { id: 99 } },
      { ...t, senderFrame: null }
    ]) {
      const reply = await call('getSnapshot', {}, event)
      assert.equal(reply.ok ? 'ok' : reply.error.code, 'untrusted-sender')
    }
  })

  it('serves the core\'s host calls in main and forwards its events to the window', async () => {
    const reply = await call('chooseDownloadDir', {})
    assert.ok(reply.ok, JSON.stringify(reply))
    assert.equal(reply.result.downloadDir, fake.pickedDir)
    const renamed = await call('updateSettings', { displayName: 'Desk' })
    assert.ok(renamed.ok)
    await until('a settings event at the window', () => win().webContents.sent.some(([ch, p]) => ch === 'ferry:event:settings' && (p as { displayName?: string }).displayName === 'Desk'))
    assert.match(fake.trays[0]!.tooltip, /^Ferry — /)
  })

  it('closing the window hides it; quitting stops the core, whose process exits on its own', async () => {
    let prevented = false
    win().emit('close', { preventDefault: () => { prevented = true } })
    assert.equal(prevented, true)
    assert.equal(win().visible, false)
    const child = fake.children[0]!
    const exited = new Promise<number | null>(resolve => { if (child.exitCode != null) resolve(child.exitCode); else child.once('exit', code => { resolve(code) }) })
    fakeApp.quit()
    assert.equal(await exited, 0)
    await until('the app to quit', () => fake.quitted)
    assert.equal(fake.trays[0]!.destroyed, true)
    assert.deepEqual(fake.errors, [])
  })
})
