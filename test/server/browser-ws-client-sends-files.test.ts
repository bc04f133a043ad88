/**
 * Invariant, in a real browser (Chromium): the page's WebSocket client (`src-renderer/src/api/ws-client.ts`, loaded
 * as the page's own module) reads the token from the URL and removes it from the address bar, answers calls, rejects
 * refused ones with an `ApiError`, and `sendFiles` uploads browser `File`s with byte progress (XMLHttpRequest) and
 * sends them: the other peer receives them byte-identical.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { stripTypeScriptTypes } from 'node:module'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { dispatch } from '../../src-main/api/index.ts'
import { startServer } from '../../src-main/server/index.ts'
import type { FerryServer } from '../../src-main/server/index.ts'
import { launchChromium, needsChromium } from '../helpers/browser.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'

const CLIENT = new URL('../../src-renderer/src/api/ws-client.ts', import.meta.url)
/** The zod-free part of the contract the client imports at run time. */
const CONSTANTS = new URL('../../src-main/api/constants.ts', import.meta.url)

/** A static folder whose page loads the client as a module and exposes it (`window.ferryApi`, `window.ferryProgress`). */
async function clientPage (root: string): Promise<string> {
  const dir = join(root, 'static')
  await mkdir(dir, { recursive: true })
  const client = stripTypeScriptTypes(await readFile(CLIENT, 'utf8')).replace('../../../src-main/api/constants.ts', './constants.js')
  await writeFile(join(dir, 'ws-client.js'), client)
  await writeFile(join(dir, 'constants.js'), stripTypeScriptTypes(await readFile(CONSTANTS, 'utf8')))
  await writeFile(join(dir, 'boot.js'), [
    "import { connectWsClient } from './ws-client.js'",
    'window.ferryProgress = []',
    'window.ferryApi = connectWsClient({ onUploadProgress: p => window.ferryProgress.push(p) })'
  ].join('\n'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="./boot.js"></script></head><body></body></html>\n')
  return dir
}

describe('ws-client in Chromium', needsChromium(), () => {
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp
  let server: FerryServer
  let browser: Browser
  let page: Page

  before(async () => {
    const root = await tempDir('ferry-server-wsclient-')
    net = await TestNetwork.start(root)
    alice = await startTestApp(net, 'alice')
    bob = await startTestApp(net, 'bob')
    bob.on('offer', offer => { void dispatch(bob.handlers, 'answerOffer', { transferId: offer.transferId, accept: true }, new AbortController().signal) })
    server = await startServer({ app: alice, staticDir: await clientPage(root), dataDir: alice.dataDir })
    browser = await launchChromium()
    page = await browser.newPage()
    page.on('pageerror', err => { throw err })
    await page.goto(server.url)
    await page.waitForFunction('window.ferryApi')
  })
  after(async () => {
    await browser?.close()
    await server?.close()
    await bob?.stop()
    await alice?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('connects with the token from the URL, then removes it from the address bar', async () => {
    const peerId = await page.evaluate('window.ferryApi.then(api => api.getSnapshot({})).then(s => s.identity.peerId)')
    assert.equal(peerId, alice.peer.peerId)
    assert.equal(page.url(), `http://127.0.0.1:${server.port}/`)
  })

  it('a refused call rejects with an ApiError and its code', async () => {
    const error = await page.evaluate("window.ferryApi.then(api => api.getTransfer({ transferId: 'nope' })).then(() => 'resolved', e => [e.name, e.code, e instanceof Error].join(' '))")
    assert.equal(error, 'ApiError invalid-request true')
  })

  it('sendFiles uploads with byte progress and the other peer receives the files byte-identical', async () => {
    const received = nextEvent(bob, 'transfer', t => t.direction === 'receive' && t.state === 'completed', 120_000)
    const result = await page.evaluate(`(async () => {
      const api = await window.ferryApi
      const big = new Uint8Array(8 * 1024 * 1024 + 3)
      for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536))
      const small = new TextEncoder().encode('hello from the browser\\n')
      const hex = async b => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map(x => x.toString(16).padStart(2, '0')).join('')
      const { transferId } = await api.sendFiles(${JSON.stringify(bob.peer.peerId)}, [
        { file: new File([big], 'big.bin'), relativePath: 'folder/big.bin' },
        { file: new File([small], 'hello.txt'), relativePath: 'hello.txt' }
      ])
      return { transferId, big: await hex(big), small: await hex(small), progress: window.ferryProgress }
    })()`) as { transferId: string, big: string, small: string, progress: Array<{ phase: string, sentBytes: number, totalBytes: number }> }
    const done = await received
    assert.equal(done.id, result.transferId)
    assert.equal(await fileSha256(join(bob.downloadDir, 'folder', 'big.bin')), result.big)
    assert.equal(await fileSha256(join(bob.downloadDir, 'hello.txt')), result.small)
    const total = 8 * 1024 * 1024 + 3 + 23
    assert.ok(result.progress.every(p => p.totalBytes === total))
    assert.deepEqual(result.progress.map(p => p.phase).filter((p, i, all) => all[i - 1] !== p), ['uploading', 'sending', 'done'])
    const sent = result.progress.filter(p => p.phase === 'uploading').map(p => p.sentBytes)
    assert.ok(sent.every((n, i) => i === 0 || n >= (sent[i - 1] as number)), 'progress never goes back')
    assert.equal(sent.at(-1), total)
  })
})
