/**
 * Invariant: the real renderer works under the Electron shell's policy — served by the shell's `app://` handler with
 * its CSP (here over loopback HTTP, as Electron's binary is not available), talking to a real app service only
 * through the preload's `window.ferry` and main's IPC handlers — with no CSP violation and no page error, and the page
 * never receives the IPC event object. The peers view and "My ID" (with the invite's QR code) are drawn; screenshots
 * go to test-output/electron-shell-policy*.png. Real Chromium, real app service, loopback only.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import type { IpcMainInvokeEvent } from 'electron'
import type { Browser } from 'playwright-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startApp } from '../../src-main/app/index.ts'
import type { App } from '../../src-main/app/index.ts'
import { createAppProtocolHandler } from '../../src-main/electron/app-protocol.ts'
import { forwardEvents, registerIpcHandlers } from '../../src-main/electron/ipc.ts'
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security.ts'
import { launchChromium, needsChromium, TEST_OUTPUT_DIR } from '../helpers/browser.ts'
import { tempDir } from '../helpers/files.ts'

const exec = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '../..')
const rendererDir = path.join(repo, 'dist', 'renderer')

function needsRenderer (): { skip?: string } {
  if (existsSync(path.join(rendererDir, 'index.html')) || process.env.CI === 'true') return {}
  return { skip: 'dist/renderer is not built (npm run build)' }
}

describe('renderer under the Electron shell policy', { ...needsChromium(), ...needsRenderer() }, () => {
  let dir: string
  let app: App
  let server: http.Server
  let browser: Browser
  let preloadScript: string
  const bundleDir = path.join(repo, 'dist', `.electron-page-test-${process.pid}`)

  before(async () => {
    dir = await tempDir('ferry-electron-page-')
    app = await startApp({ dataDir: path.join(dir, 'data'), relays: [], iceServers: [], host: { kind: 'electron', showInFolder: async () => {} } })
    // a contact, so the peers view draws a peer card (avatar with inline style directives)
    const bob = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    await app.handlers.addContact({ invite: `ferry:${bob}?name=Bob`, name: 'Bob' }, AbortSignal.timeout(10_000))
    const handle = createAppProtocolHandler(rendererDir)
    server = http.createServer((req, res) => {
      void handle(new Request(`app://ferry${req.url ?? '/'}`, { method: req.method })).then(async response => {
        res.writeHead(response.status, Object.fromEntries(response.headers))
        res.end(Buffer.from(await response.arrayBuffer()))
      })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    // The preload's factory, bundled for the page (the fixture wires it to the bindings below).
    await exec(path.join(repo, 'node_modules', '.bin', 'node'), [path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js'), 'build',
      '--config', path.join(import.meta.dirname, 'fixtures', 'page-preload.vite.config.ts')], { cwd: repo, env: { ...process.env, FERRY_PAGE_PRELOAD_OUT: bundleDir } })
    preloadScript = path.join(bundleDir, 'page-preload.js')
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await new Promise(resolve => server?.close(resolve))
    await app?.stop()
    await rm(bundleDir, { recursive: true, force: true })
    await rm(dir, { recursive: true, force: true })
  })

  it('loads, draws the core\'s snapshot through window.ferry, and breaks no CSP rule', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 } })
    const problems: string[] = []
    page.on('pageerror', err => { problems.push(`page error: ${err.message}`) })
    page.on('console', msg => { if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`) })
    // (browser-side code is passed as strings: the repository's type check has no DOM library)
    await page.addInitScript(`
      window.__csp = []
      document.addEventListener('securitypolicyviolation', e => { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI) })`)
    // main's IPC handlers, reached through a binding instead of Electron's IPC (sender checks are tested elsewhere)
    const channels = new Map<string, (event: IpcMainInvokeEvent, request: unknown) => Promise<unknown>>()
    const controller = new AbortController()
    const unregister = registerIpcHandlers({
      ipcMain: { handle: (ch, l) => { channels.set(ch, l) }, removeHandler: ch => { channels.delete(ch) } },
      handlers: app.handlers,
      isTrusted: () => true,
      signal: controller.signal
    })
    const calls: string[] = []
    await page.exposeFunction('__ferryInvoke', async (channel: string, request: unknown) => {
      calls.push(channel)
      const handler = channels.get(channel)
      return handler == null ? { ok: false, error: { name: 'ApiError', code: 'unknown-call', message: channel } } : await handler({} as IpcMainInvokeEvent, request)
    })
    await page.addInitScript({ path: preloadScript })
    const stopEvents = forwardEvents(app, (channel, payload) => {
      void page.evaluate(`window.__ferryEmit(${JSON.stringify(channel)}, ${JSON.stringify(payload)})`).catch(() => {})
    })
    try {
      const { port } = server.address() as AddressInfo
      const response = await page.goto(`http://127.0.0.1:${port}/index.html`)
      assert.equal(response?.headers()['content-security-policy'], CONTENT_SECURITY_POLICY)
      const snapshot = await app.handlers.getSnapshot({}, AbortSignal.timeout(10_000))
      await page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(snapshot.settings.displayName)}) && document.body.innerText.includes('Bob')`, undefined, { timeout: 15_000 })
      assert.ok(calls.includes('ferry:call:getSnapshot'), 'the page asked the core through window.ferry')
      // an event from the core reaches the page's listeners as the payload alone
      const seen = await page.evaluate(`(() => {
        const got = []
        const off = window.ferry.on('notice', (...args) => { got.push(args) })
        window.__ferryEmit('ferry:event:notice', { level: 'info', code: 'test', message: 'hello' })
        off()
        window.__ferryEmit('ferry:event:notice', { level: 'info', code: 'test', message: 'after unsubscribe' })
        return got
      })()`)
      assert.deepEqual(seen, [[{ level: 'info', code: 'test', message: 'hello' }]])
      await page.waitForTimeout(500) // let late styles, images and fonts load (and be refused, if the CSP refuses them)
      await page.screenshot({ path: path.join(TEST_OUTPUT_DIR, 'electron-shell-policy.png') })
      // "My ID" shows the invite's QR code (an SVG from the core): it must render under the CSP too
      await page.getByText('My ID', { exact: true }).first().click()
      await page.waitForFunction(`document.body.innerText.includes(${JSON.stringify(snapshot.identity.peerId)})`, undefined, { timeout: 15_000 })
      await page.waitForTimeout(500)
      await page.screenshot({ path: path.join(TEST_OUTPUT_DIR, 'electron-shell-policy-my-id.png') })
      const violations = await page.evaluate('window.__csp') as string[]
      assert.deepEqual([...violations, ...problems], [])
    } finally {
      stopEvents()
      unregister()
      controller.abort()
      await page.close()
    }
  })
})
