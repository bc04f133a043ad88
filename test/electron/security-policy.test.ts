/**
 * Invariant: the Electron shell's policy lets nothing but Ferry's own page act — IPC is answered only for our window's
 * main frame on `app://ferry/`, only http(s) URLs without credentials leave for the system browser, the page gets no
 * permission beyond writing the clipboard, and the window runs sandboxed with a script-tight CSP.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  ALLOWED_PERMISSIONS, CONTENT_SECURITY_POLICY, externalUrl, isAllowedExternalUrl, isPermissionAllowed, isTrustedSender,
  START_URL, windowWebPreferences
} from '../../src-main/electron/security.ts'
import type { SenderInfo, TrustedWindow } from '../../src-main/electron/security.ts'

const WINDOW: TrustedWindow = { webContentsId: 7, mainFrame: { processId: 3, routingId: 1 } }
const frame = (url: string, extra: Partial<NonNullable<SenderInfo['senderFrame']>> = {}): SenderInfo['senderFrame'] =>
  ({ url, parent: null, processId: 3, routingId: 1, ...extra })

describe('IPC sender validation', () => {
  it('accepts our window main frame on app://ferry/', () => {
    assert.equal(isTrustedSender({ senderFrame: frame(START_URL), senderId: 7 }, WINDOW), true)
    assert.equal(isTrustedSender({ senderFrame: frame('app://ferry/index.html?x=1#peers'), senderId: 7 }, WINDOW), true)
  })

  it('refuses other origins, file://, look-alike hosts and credentials', () => {
    for (const url of [
      'file:///home/me/index.html', 'https://ferry/index.html', 'http://127.0.0.1:5173/', 'app://evil/index.html',
      'app://ferry.evil.com/', 'app://user@ferry/index.html', 'devtools://devtools/bundled/inspector.html', 'about:blank',
      'data:text/html,<script>1</script>', ''
    ]) {
      assert.equal(isTrustedSender({ senderFrame: frame(url), senderId: 7 }, WINDOW), false, url)
    }
  })

  it('refuses subframes, other frames of the page, other webContents, destroyed frames and a missing window', () => {
    assert.equal(isTrustedSender({ senderFrame: frame(START_URL, { parent: {} }), senderId: 7 }, WINDOW), false)
    assert.equal(isTrustedSender({ senderFrame: frame(START_URL, { routingId: 2 }), senderId: 7 }, WINDOW), false)
    assert.equal(isTrustedSender({ senderFrame: frame(START_URL, { processId: 4 }), senderId: 7 }, WINDOW), false)
    assert.equal(isTrustedSender({ senderFrame: frame(START_URL), senderId: 8 }, WINDOW), false)
    assert.equal(isTrustedSender({ senderFrame: null, senderId: 7 }, WINDOW), false)
    assert.equal(isTrustedSender({ senderFrame: frame(START_URL), senderId: 7 }, undefined), false)
  })
})

describe('external URL allowlist', () => {
  it('lets http(s) links through, re-serialised by the URL parser', () => {
    assert.equal(externalUrl('https://github.com/libp2p/js-libp2p'), 'https://github.com/libp2p/js-libp2p')
    assert.equal(externalUrl('HTTP://Example.COM/a b'), 'http://example.com/a%20b')
    assert.equal(isAllowedExternalUrl('https://example.com:8443/x?y=1#z'), true)
  })

  it('refuses every other scheme, credentials, missing hosts, garbage and over-long URLs', () => {
    for (const url of [
      'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'file:///etc/passwd', 'file://server/share',
      'smb://server/share', 'ftp://example.com/', 'data:text/html,x', 'vbscript:x', 'ms-msdt:/id', 'app://ferry/index.html',
      'mailto:a@example.com', 'https://user:pass@example.com/', 'https://user@example.com/', 'http://', 'https:',
      'not a url', '', `https://example.com/${'a'.repeat(3000)}`
    ]) {
      assert.equal(isAllowedExternalUrl(url), false, url)
    }
    for (const value of [undefined, null, 42, { href: 'https://example.com' }]) assert.equal(isAllowedExternalUrl(value), false)
  })
})

describe('permissions', () => {
  it('grants only clipboard-sanitized-write, and only to our origin', () => {
    assert.deepEqual([...ALLOWED_PERMISSIONS], ['clipboard-sanitized-write'])
    assert.equal(isPermissionAllowed('clipboard-sanitized-write', 'app://ferry'), true)
    assert.equal(isPermissionAllowed('clipboard-sanitized-write', 'app://ferry/index.html'), true)
    assert.equal(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com'), false)
    for (const p of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'hid', 'usb', 'serial', 'unknown']) {
      assert.equal(isPermissionAllowed(p, 'app://ferry'), false, p)
    }
  })
})

describe('window', () => {
  it('webPreferences keep the renderer sandboxed and isolated', () => {
    const prefs = windowWebPreferences('/app/dist/electron/preload.cjs')
    assert.equal(prefs.preload, '/app/dist/electron/preload.cjs')
    assert.equal(prefs.sandbox, true)
    assert.equal(prefs.contextIsolation, true)
    assert.equal(prefs.nodeIntegration, false)
    assert.equal(prefs.nodeIntegrationInSubFrames, false)
    assert.equal(prefs.nodeIntegrationInWorker, false)
    assert.equal(prefs.webSecurity, true)
    assert.equal(prefs.allowRunningInsecureContent, false)
    assert.equal(prefs.webviewTag, false)
    assert.equal(prefs.navigateOnDragDrop, false)
    assert.equal(prefs.devTools, false, 'no DevTools in packaged builds')
    assert.equal(windowWebPreferences('/p', { devTools: true }).devTools, true)
  })

  it('the CSP allows scripts and styles only from the app\'s files and nothing remote', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map(d => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]))
    assert.deepEqual(directives.get('default-src'), ["'none'"])
    assert.deepEqual(directives.get('script-src'), ["'self'"])
    assert.deepEqual(directives.get('style-src'), ["'self'"])
    assert.deepEqual(directives.get('connect-src'), ["'self'"])
    assert.deepEqual(directives.get('object-src'), ["'none'"])
    assert.deepEqual(directives.get('base-uri'), ["'none'"])
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"])
    assert.ok(!CONTENT_SECURITY_POLICY.includes('unsafe-'), 'no unsafe-inline, no unsafe-eval')
    assert.ok(!/https?:|\*/.test(CONTENT_SECURITY_POLICY), 'no remote source')
  })
})
