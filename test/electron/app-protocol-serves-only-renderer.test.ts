/**
 * Invariant: `app://ferry/…` serves files under the renderer folder and nothing else — `..` (plain or encoded),
 * backslashes, drive letters, absolute paths, other hosts and folders get a 404 — and every response carries the CSP.
 */
import assert from 'node:assert/strict'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createAppProtocolHandler } from '../../src-main/electron/app-protocol.ts'
import { CONTENT_SECURITY_POLICY, resolveAppPath } from '../../src-main/electron/security.ts'
import { tempDir } from '../helpers/files.ts'

describe('app:// path resolver', () => {
  const root = path.resolve('/srv/ferry/dist/renderer')

  it('maps paths under the root, / to index.html, ignoring query and fragment', () => {
    assert.equal(resolveAppPath(root, 'app://ferry/'), path.join(root, 'index.html'))
    assert.equal(resolveAppPath(root, 'app://ferry/index.html?token=x#y'), path.join(root, 'index.html'))
    assert.equal(resolveAppPath(root, 'app://ferry/assets/index-abc.js'), path.join(root, 'assets', 'index-abc.js'))
    assert.equal(resolveAppPath(root, 'app://ferry/assets/a%20b.css'), path.join(root, 'assets', 'a b.css'))
    assert.equal(resolveAppPath(root, 'app://ferry//assets//x.js'), path.join(root, 'assets', 'x.js'))
  })

  it('refuses traversal, encoded traversal, absolute and drive paths, NUL and other hosts', () => {
    for (const url of [
      'app://ferry/..%2f..%2fetc%2fpasswd', 'app://ferry/assets/..%2F..%2F..%2Fetc/passwd', 'app://ferry/%2e%2e%2f%2e%2e%2fetc/passwd',
      'app://ferry/assets%2f..%2f..%2fsecret', 'app://ferry/..%5c..%5cwindows', 'app://ferry/a\\..\\..\\b',
      'app://ferry/C:/Windows/win.ini', 'app://ferry/C%3A%5CWindows', 'app://ferry/index.html%00.png', 'app://ferry/%E0%A4%A',
      'app://evil/index.html', 'app://user:pw@ferry/index.html', 'file:///etc/passwd', 'https://ferry/index.html'
    ]) {
      const resolved = resolveAppPath(root, url)
      assert.ok(resolved == null || resolved.startsWith(root + path.sep), `${url} → ${resolved}`)
      assert.equal(resolved, null, url)
    }
  })

  it('dot segments the URL parser resolves stay inside the root', () => {
    for (const url of ['app://ferry/../../etc/passwd', 'app://ferry/assets/../../../etc/passwd', 'app://ferry/%2e%2e/x', 'app://ferry/%2e%2e/%2e%2e/etc/passwd', 'app://ferry/.%2e/secret']) {
      const resolved = resolveAppPath(root, url)
      assert.ok(resolved == null || resolved.startsWith(root + path.sep), `${url} → ${resolved}`)
    }
  })
})

describe('app:// protocol handler', () => {
  let dir: string
  let root: string
  let handle: (request: Request) => Promise<Response>

  before(async () => {
    dir = await tempDir('ferry-electron-protocol-')
    root = path.join(dir, 'renderer')
    await mkdir(path.join(root, 'assets'), { recursive: true })
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Ferry</title>')
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(path.join(dir, 'secret.txt'), 'outside the root')
    handle = createAppProtocolHandler(root)
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('serves the page and its assets with content types and the CSP', async () => {
    const page = await handle(new Request('app://ferry/index.html'))
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
    assert.equal(page.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY)
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(await page.text(), '<!doctype html><title>Ferry</title>')
    const script = await handle(new Request('app://ferry/assets/app.js'))
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8')
    assert.equal(await script.text(), 'console.log(1)')
  })

  it('answers 404 for files outside the root, folders and missing files, 405 for writes; errors carry the CSP', async () => {
    for (const url of ['app://ferry/..%2fsecret.txt', 'app://ferry/%2e%2e/secret.txt', 'app://ferry/assets', 'app://ferry/missing.js', 'app://other/index.html']) {
      const res = await handle(new Request(url))
      assert.equal(res.status, 404, url)
      assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY)
      assert.ok(!(await res.text()).includes('outside the root'))
    }
    const post = await handle(new Request('app://ferry/index.html', { method: 'POST', body: 'x' }))
    assert.equal(post.status, 405)
  })
})
