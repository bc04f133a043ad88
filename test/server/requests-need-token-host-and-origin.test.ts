/**
 * Invariant: nothing the headless server offers — the page, its assets, the WebSocket, the upload endpoint — answers
 * a request that lacks the access token, carries a wrong one, comes from another site's `Origin`, or names another
 * `Host` (DNS rebinding); the page carries a strict CSP and `nosniff`; static files come only from inside the static
 * folder, with correct MIME types.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { makeStaticDir, openSocket, raw, serveApp } from './fixture.ts'
import type { Served } from './fixture.ts'

describe('headless server: token, Host and Origin are required', () => {
  let net: TestNetwork
  let s: Served
  let port: number
  let cookie: string

  before(async () => {
    const root = await tempDir('ferry-server-sec-')
    net = await TestNetwork.start(root)
    s = await serveApp(net, 'alice', await makeStaticDir(root))
    port = s.server.port
    cookie = `ferry_token_${port}=${s.server.token}`
  })
  after(async () => {
    await s?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('the printed URL is on 127.0.0.1 and carries a 256-bit token', () => {
    assert.match(s.server.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[0-9a-f]{64}$`))
  })

  it('the page with the token is served with a strict CSP, nosniff, no referrer, and sets the HttpOnly SameSite=Strict cookie', async () => {
    const res = await raw(port, { path: `/?token=${s.server.token}` })
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /^text\/html/)
    const csp = String(res.headers['content-security-policy'])
    assert.match(csp, /default-src 'self'/)
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline script')
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${port}`))
    assert.match(csp, /img-src 'self' data: blob:/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    assert.equal(res.headers['x-content-type-options'], 'nosniff')
    assert.equal(res.headers['referrer-policy'], 'no-referrer')
    const setCookie = String(res.headers['set-cookie'])
    assert.match(setCookie, new RegExp(`^ferry_token_${port}=${s.server.token};`))
    assert.match(setCookie, /HttpOnly/)
    assert.match(setCookie, /SameSite=Strict/)
  })

  it('no token, or a wrong one: page, asset, socket and upload are refused with 401', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/api/uploads']) {
      const method = path === '/api/uploads' ? 'POST' : 'GET'
      assert.equal((await raw(port, { method, path })).status, 401, `${method} ${path} without token`)
      assert.equal((await raw(port, { method, path: `${path}?token=${'0'.repeat(64)}` })).status, 401, `${method} ${path} wrong token`)
      assert.equal((await raw(port, { method, path, headers: { cookie: `ferry_token_${port}=nope` } })).status, 401, `${method} ${path} wrong cookie`)
      assert.equal((await raw(port, { method, path, headers: { authorization: 'Bearer nope' } })).status, 401, `${method} ${path} wrong bearer`)
    }
    assert.deepEqual(await openSocket(`ws://127.0.0.1:${port}/api/ws`), { status: 401 })
    assert.deepEqual(await openSocket(`ws://127.0.0.1:${port}/api/ws?token=${s.server.token.slice(0, 63)}x`), { status: 401 })
    const put = await raw(port, { method: 'PUT', path: `/api/uploads/${crypto.randomUUID()}/files?path=a.txt&size=2`, body: 'hi' })
    assert.equal(put.status, 401)
    assert.deepEqual(await readdir(join(s.app.dataDir, 'uploads')), ['.partial'], 'nothing was stored')
  })

  it('the cookie (as the page\'s assets and socket send it) and a Bearer header are accepted', async () => {
    const asset = await raw(port, { path: '/assets/app.js', headers: { cookie } })
    assert.equal(asset.status, 200)
    assert.match(String(asset.headers['content-type']), /^text\/javascript/)
    assert.equal(asset.headers['x-content-type-options'], 'nosniff')
    assert.match(String((await raw(port, { path: '/assets/app.css', headers: { cookie } })).headers['content-type']), /^text\/css/)
    assert.match(String((await raw(port, { path: '/assets/logo.svg', headers: { cookie } })).headers['content-type']), /^image\/svg\+xml/)
    const created = await raw(port, { method: 'POST', path: '/api/uploads', headers: { authorization: `Bearer ${s.server.token}` } })
    assert.equal(created.status, 201)
    const opened = await openSocket(`ws://127.0.0.1:${port}/api/ws`, { cookie, origin: `http://127.0.0.1:${port}` })
    assert.ok('ws' in opened)
    opened.ws.close()
  })

  it('a foreign Origin is refused (403) even with a valid token, for page, asset, socket and upload', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null', `https://127.0.0.1:${port}`]) {
      assert.equal((await raw(port, { path: '/', headers: { cookie, origin } })).status, 403, origin)
      assert.equal((await raw(port, { path: '/assets/app.js', headers: { cookie, origin } })).status, 403, origin)
      assert.equal((await raw(port, { method: 'POST', path: '/api/uploads', headers: { cookie, origin } })).status, 403, origin)
      assert.deepEqual(await openSocket(`ws://127.0.0.1:${port}/api/ws?token=${s.server.token}`, { origin }), { status: 403 }, origin)
    }
    assert.equal((await raw(port, { path: '/', headers: { cookie, origin: `http://localhost:${port}` } })).status, 200, 'own origin by name')
  })

  it('a spoofed Host (DNS rebinding) is refused (403) even with a valid token', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `127.0.0.1.evil.example:${port}`, '']) {
      assert.equal((await raw(port, { path: `/?token=${s.server.token}`, headers: { host } })).status, 403, `host ${host}`)
      if (host !== '') assert.deepEqual(await openSocket(`ws://127.0.0.1:${port}/api/ws?token=${s.server.token}`, { host }), { status: 403 }, `host ${host}`)
    }
    assert.equal((await raw(port, { path: `/?token=${s.server.token}`, headers: { host: `localhost:${port}` } })).status, 200)
  })

  it('static files come only from inside the static folder: no traversal, no link out, no folder listing', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt', '/link.txt', '/assets', '/assets/', '/nope.js', '/%00', '/%E0%A4%A']) {
      const res = await raw(port, { path, headers: { cookie } })
      assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`)
      assert.doesNotMatch(res.body.toString(), /SECRET/, path)
    }
    const absolute = await raw(port, { path: `http://127.0.0.1:${port}/index.html`, headers: { cookie } })
    assert.equal(absolute.status, 400, 'absolute-form request targets are refused')
  })

  it('methods other than GET/HEAD on the page are refused', async () => {
    assert.equal((await raw(port, { method: 'POST', path: '/', headers: { cookie } })).status, 405)
    const head = await raw(port, { method: 'HEAD', path: '/', headers: { cookie } })
    assert.equal(head.status, 200)
    assert.equal(head.body.length, 0)
  })
})
