/**
 * Invariant: over the WebSocket bridge, a call reaches the real app service and its answer comes back under the
 * call's ID; contract events reach the page until it unsubscribes; a malformed frame, an unknown call, a refused
 * request or `sendLocalFiles` (a browser has no paths) gets an error reply and the socket keeps working; an oversized
 * frame closes only that socket; a page built for another contract version is told so.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { connectWsClient } from '../../src-renderer/src/api/ws-client.ts'
import type { WsFerryApi } from '../../src-renderer/src/api/ws-client.ts'
import type { SettingsView } from '../../src-main/api/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { callOver, makeStaticDir, openSocket, serveApp } from './fixture.ts'
import type { Served } from './fixture.ts'

describe('headless server: WebSocket calls and events', () => {
  let net: TestNetwork
  let s: Served
  let api: WsFerryApi

  before(async () => {
    const root = await tempDir('ferry-server-ws-')
    net = await TestNetwork.start(root)
    s = await serveApp(net, 'alice', await makeStaticDir(root))
    api = await connectWsClient({ origin: `http://127.0.0.1:${s.server.port}`, token: s.server.token })
  })
  after(async () => {
    api?.close()
    await s?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('getSnapshot round trip: the real app\'s identity and the headless capabilities', async () => {
    const snapshot = await api.getSnapshot({})
    assert.equal(snapshot.identity.peerId, s.app.peer.peerId)
    assert.deepEqual(snapshot.capabilities, { host: 'headless', showInFolder: false, openFile: false, download: false, chooseDownloadDir: false, checkForUpdates: false })
    assert.equal(snapshot.settings.displayName, 'alice')
  })

  it('an event arrives after a call that causes it, and not after unsubscribing', async () => {
    const seen: SettingsView[] = []
    const off = api.on('settings', v => seen.push(v))
    const arrived = new Promise<SettingsView>(resolve => { const o = api.on('settings', v => { o(); resolve(v) }) })
    const result = await api.updateSettings({ displayName: 'Alice Two' })
    assert.equal(result.displayName, 'Alice Two')
    assert.equal((await arrived).displayName, 'Alice Two')
    off()
    const count = seen.length
    await api.updateSettings({ displayName: 'Alice Three' })
    await api.getSnapshot({}) // the event, if any, would have arrived before this answer
    assert.equal(seen.length, count)
  })

  it('refused calls reject with ApiError codes: invalid-request, unsupported (sendLocalFiles)', async () => {
    await assert.rejects(api.getTransfer({ transferId: 'not-a-uuid' }), { name: 'ApiError', code: 'invalid-request' })
    const opened = await openSocket(`ws://127.0.0.1:${s.server.port}/api/ws?token=${s.server.token}`)
    assert.ok('ws' in opened)
    const reply = await callOver(opened.ws, 'x1', 'sendLocalFiles', { peerId: s.app.peer.peerId, files: [{ path: '/etc/passwd', relativePath: 'passwd' }] })
    assert.equal(reply.ok, false)
    assert.equal((reply.error as { code: string }).code, 'unsupported')
    opened.ws.close()
  })

  it('malformed frames get an error reply and the socket keeps answering', async () => {
    const opened = await openSocket(`ws://127.0.0.1:${s.server.port}/api/ws?token=${s.server.token}`)
    assert.ok('ws' in opened)
    const { ws } = opened
    const replies: Array<Record<string, unknown>> = []
    ws.on('message', d => { const f = JSON.parse(d.toString()) as Record<string, unknown>; if (!('event' in f)) replies.push(f) })
    for (const frame of ['not json', '[]', 'null', '42', '{"call":"getSnapshot"}', '{"id":{},"call":"getSnapshot"}', `{"id":"${'x'.repeat(500)}","call":"getSnapshot"}`, '{"id":7}']) ws.send(frame)
    ws.send(Buffer.from([1, 2, 3]), { binary: true })
    const unknown = await callOver(ws, 8, '__proto__', {})
    assert.equal((unknown.error as { code: string }).code, 'unknown-call')
    const ok = await callOver(ws, 9, 'getSnapshot', {})
    assert.equal(ok.ok, true)
    const invalid = replies.filter(r => (r.error as { code?: string } | undefined)?.code === 'invalid-frame')
    assert.equal(invalid.length, 9, JSON.stringify(replies))
    assert.deepEqual(invalid.map(r => r.id), [null, null, null, null, null, null, null, 7, null])
    ws.close()
  })

  it('a frame over the size limit closes that socket only (1009); the server keeps serving', async () => {
    const opened = await openSocket(`ws://127.0.0.1:${s.server.port}/api/ws?token=${s.server.token}`)
    assert.ok('ws' in opened)
    const closed = new Promise<number>(resolve => opened.ws.once('close', code => resolve(code)))
    opened.ws.send(JSON.stringify({ id: 1, call: 'addContact', request: { invite: 'x'.repeat(200_000) } }))
    assert.equal(await closed, 1009)
    assert.equal((await api.getSnapshot({})).identity.peerId, s.app.peer.peerId)
  })

  it('a page built for another contract version is closed with 4001', async () => {
    const opened = await openSocket(`ws://127.0.0.1:${s.server.port}/api/ws?token=${s.server.token}&apiVersion=999`)
    assert.ok('ws' in opened)
    const [code, reason] = await new Promise<[number, string]>(resolve => opened.ws.once('close', (c, r) => resolve([c, r.toString()])))
    assert.equal(code, 4001)
    assert.equal(reason, 'api-version-mismatch')
  })

  it('the client refuses to connect without the right token', async () => {
    await assert.rejects(connectWsClient({ origin: `http://127.0.0.1:${s.server.port}`, token: 'wrong' }), { name: 'ApiError', code: 'connection-failed' })
  })
})
