/**
 * Invariant: when the server goes away and comes back (same port and token), the WebSocket client reconnects on its
 * own, tells the page with `notice` events (`disconnected`, then `reconnected`, the cue to fetch a fresh snapshot),
 * and a call made while disconnected is answered once the connection is back.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Notice } from '../../src-main/api/index.ts'
import { startServer } from '../../src-main/server/index.ts'
import type { FerryServer } from '../../src-main/server/index.ts'
import { connectWsClient } from '../../src-renderer/src/api/ws-client.ts'
import type { WsFerryApi } from '../../src-renderer/src/api/ws-client.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'
import { makeStaticDir } from './fixture.ts'

describe('ws-client: reconnects after the server restarts', () => {
  let net: TestNetwork
  let app: TestApp
  let staticDir: string
  let server: FerryServer
  let api: WsFerryApi

  before(async () => {
    const root = await tempDir('ferry-server-reconnect-')
    net = await TestNetwork.start(root)
    app = await startTestApp(net, 'alice')
    staticDir = await makeStaticDir(root)
    server = await startServer({ app, staticDir, dataDir: app.dataDir })
    api = await connectWsClient({ origin: `http://127.0.0.1:${server.port}`, token: server.token })
  })
  after(async () => {
    api?.close()
    await server?.close()
    await app?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('disconnected, then reconnected notices; a call made in between is answered after the reconnect', async () => {
    const notices: Notice[] = []
    const noticed = (code: string): Promise<void> => new Promise(resolve => {
      const off = api.on('notice', n => { if (n.code === code) { off(); resolve() } })
    })
    api.on('notice', n => notices.push(n))
    const { port, token } = server
    const disconnected = noticed('disconnected')
    await server.close()
    await disconnected

    const reconnected = noticed('reconnected')
    const during = api.getSnapshot({})
    server = await startServer({ app, staticDir, dataDir: app.dataDir, port, token })
    await reconnected
    assert.equal((await during).identity.peerId, app.peer.peerId)
    assert.deepEqual(notices.map(n => [n.level, n.code]), [['warning', 'disconnected'], ['info', 'reconnected']])
  })
})
