/**
 * Invariant: the code the core's utility process runs starts the real app service on the data directory main names,
 * as an Electron host (show-in-folder and the folder picker available, served by main), with the network settings
 * taken from the environment like the CLI's — and stops it cleanly. Run over a MessageChannel in Node, loopback only.
 */
import assert from 'node:assert/strict'
import { mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MessageChannel } from 'node:worker_threads'
import type { MessagePort } from 'node:worker_threads'
import { appInitFor, runCore } from '../../src-main/electron/core-main.ts'
import { connectCore } from '../../src-main/electron/core-rpc.ts'
import type { HostCalls, Port } from '../../src-main/electron/core-rpc.ts'
import { tempDir } from '../helpers/files.ts'

const ENV = { FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none', FERRY_MDNS: 'off', FERRY_UPNP: 'off' }

function port (p: MessagePort): Port {
  return { post: m => { p.postMessage(m) }, onMessage: l => { p.on('message', l); return () => { p.off('message', l) } } }
}

describe('core process', () => {
  let dir: string
  before(async () => { dir = await tempDir('ferry-electron-core-') })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('builds startApp options from main\'s init and the environment', () => {
    const host: HostCalls = { showInFolder: async () => {}, chooseDownloadDir: async () => null }
    const init = appInitFor({ dataDir: '/data' }, host, ENV)
    assert.equal(init.dataDir, '/data')
    assert.deepEqual(init.iceServers, [])
    assert.equal(init.mdns, false)
    assert.equal(init.host?.kind, 'electron')
    assert.equal(appInitFor({ dataDir: '/data' }, host, {}).mdns, true)
    assert.ok(appInitFor({ dataDir: '/data' }, host, {}).iceServers.length > 0, 'public STUN by default, like the CLI')
    assert.throws(() => appInitFor({}, host, ENV), { code: 'invalid-request' })
  })

  it('runs the real app service as an Electron host and stops it', async () => {
    const { port1, port2 } = new MessageChannel()
    const dataDir = path.join(dir, 'data')
    const picked = path.join(dir, 'Downloads')
    await mkdir(picked)
    const shown: string[] = []
    const served = runCore(port(port2), ENV)
    const core = connectCore(port(port1), { dataDir }, {
      showInFolder: async p => { shown.push(p) },
      chooseDownloadDir: async () => picked
    })
    try {
      await core.started
      const signal = AbortSignal.timeout(30_000)
      const snapshot = await core.handlers.getSnapshot({}, signal)
      assert.deepEqual(snapshot.capabilities, { host: 'electron', showInFolder: true, openFile: true, download: false, chooseDownloadDir: true, checkForUpdates: true })
      assert.match(snapshot.identity.peerId, /^12D3KooW/)
      assert.deepEqual(snapshot.settings.relays, [])
      assert.ok((await stat(path.join(dataDir, 'identity.key'))).isFile(), 'the identity lives in the data directory main named')
      const settings = await core.handlers.chooseDownloadDir({}, signal)
      assert.equal(settings.downloadDir, picked)
      await assert.rejects(core.handlers.getTransfer({ transferId: 'nope' }, signal), { code: 'invalid-request' })
    } finally {
      await core.stop()
      await served
      port1.close()
      port2.close()
    }
  })
})
