/**
 * Invariant, in a real browser (Chromium): the built renderer served by the headless server loads under its strict
 * CSP without a single violation; the token leaves the address bar once read; the page's own requests (socket and
 * uploads) are authorized by the HttpOnly cookie alone; and a page of another origin on the same machine — to which
 * the browser does send the SameSite cookie, since ports do not make a site — can neither open the socket nor create
 * an upload.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { startServer } from '../../src-main/server/index.ts'
import type { FerryServer } from '../../src-main/server/index.ts'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const RENDERER = join(REPO, 'dist', 'renderer')

async function ensureRendererBuilt (): Promise<void> {
  if ((await stat(join(RENDERER, 'index.html')).catch(() => undefined))?.isFile() === true) return
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: REPO, timeout: 240_000 })
}

/** In the page: opens the server's socket (no token in its URL) and makes one call; resolves with the reply or the failure. */
function socketCall (page: Page, wsUrl: string): Promise<string> {
  return page.evaluate(async (url) => new Promise<string>((resolve) => {
    const ws = new WebSocket(url)
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, call: 'getSnapshot', request: {} }))
    ws.onmessage = (ev) => { const f = JSON.parse(String(ev.data)) as { id?: number, ok?: boolean }; if (f.id === 1) { ws.close(); resolve(f.ok === true ? 'ok' : 'refused-call') } }
    ws.onerror = () => resolve('socket-error')
  }), wsUrl)
}

describe('headless server in Chromium: CSP, cookie, other origins', needsChromium(), () => {
  let net: TestNetwork
  let app: TestApp
  let server: FerryServer
  let browser: Browser
  let evil: Server
  let evilOrigin: string

  before(async () => {
    await ensureRendererBuilt()
    net = await TestNetwork.start(await tempDir('ferry-server-browser-'))
    app = await startTestApp(net, 'alice')
    server = await startServer({ app, staticDir: RENDERER, dataDir: app.dataDir })
    evil = createServer((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>another site</title><p>hello</p>') })
    await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
    evilOrigin = `http://127.0.0.1:${(evil.address() as { port: number }).port}`
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await new Promise(resolve => evil?.close(resolve))
    await server?.close()
    await app?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('the renderer loads with no CSP violation, drops the token from the address bar, and its socket and uploads work by cookie', async () => {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('console', m => { if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text()) })
    page.on('pageerror', err => problems.push(`pageerror: ${err.message}`))
    // Runs in the page (not typechecked here: the test has no DOM types).
    await page.addInitScript("document.addEventListener('securitypolicyviolation', e => console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
    await page.goto(server.url)
    await page.waitForFunction("!location.href.includes('token=')", undefined, { timeout: 20_000 })
    await page.waitForLoadState('networkidle')
    // Every main view, where the renderer has them (the QR code, lists, forms): none may need what the CSP forbids.
    for (const name of ['Peers', 'Transfers', 'History', 'Settings', 'My ID']) {
      const button = page.getByRole('button', { name, exact: true })
      if (await button.count() === 1) {
        await button.click()
        await page.waitForLoadState('networkidle')
      }
    }
    assert.deepEqual(problems, [])

    assert.equal(await socketCall(page, `ws://127.0.0.1:${server.port}/api/ws`), 'ok')
    const uploaded = await page.evaluate(async () => {
      const created = await fetch('/api/uploads', { method: 'POST' })
      const { uploadId } = await created.json() as { uploadId: string }
      const put = await fetch(`/api/uploads/${uploadId}/files?path=hello.txt&size=5`, { method: 'PUT', body: new Blob(['hello']) })
      return [created.status, put.status]
    })
    assert.deepEqual(uploaded, [201, 201])
    await page.close()
  })

  it('a page of another origin on 127.0.0.1 cannot open the socket or create an upload, though the browser holds the cookie', async () => {
    const context = await browser.newContext()
    const own = await context.newPage()
    await own.goto(server.url) // the context now holds the token cookie
    assert.ok((await context.cookies(`http://127.0.0.1:${server.port}`)).some(c => c.name === `ferry_token_${server.port}` && c.httpOnly && c.sameSite === 'Strict'))
    const page = await context.newPage()
    await page.goto(evilOrigin)
    assert.equal(await socketCall(page, `ws://127.0.0.1:${server.port}/api/ws`), 'socket-error')
    const uploadsBefore = await readdir(join(app.dataDir, 'uploads'))
    const status = await page.evaluate(async (target) => {
      try {
        const res = await fetch(`${target}/api/uploads`, { method: 'POST', credentials: 'include', mode: 'no-cors' })
        return res.type
      } catch (err) {
        return `failed: ${String(err)}`
      }
    }, `http://127.0.0.1:${server.port}`)
    assert.ok(status === 'opaque' || status.startsWith('failed'), status)
    assert.deepEqual(await readdir(join(app.dataDir, 'uploads')), uploadsBefore, 'no upload was created')
    await context.close()
  })
})
