/**
 * Invariant: the `upnp` setting (router port mapping) is on by default, is stored when changed and used by the next
 * start; a host that does not allow port mapping (`AppInit.upnp` false: `--no-upnp`, `FERRY_UPNP=off`, every test)
 * runs the peer without it whatever the setting says — the identity shows `upnp: 'off'`, the network check
 * `not-enabled` — and a change of the setting then restarts nothing. (Mapping itself runs only in the network lab:
 * test/netlab/upnp-maps-a-port.test.ts; here no SSDP is ever sent.)
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

describe('app: the upnp setting', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let app: TestApp | undefined

  before(async () => { net = await TestNetwork.start(await tempDir('ferry-app-upnp-')) })
  after(async () => {
    await app?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('is on by default, stored when changed, and off in the peer while the host does not allow it', async () => {
    app = await startTestApp(net, 'alice', { relays: [] })
    const snapshot = await app.handlers.getSnapshot({}, signal)
    assert.equal(snapshot.settings.upnp, true, 'port mapping is on by default')
    assert.equal(snapshot.identity.upnp, 'off', 'the host did not allow it: the peer maps nothing')
    assert.equal(app.peer.portMapping.status, 'off')
    const peerBefore = app.peer
    const settings = await app.handlers.updateSettings({ upnp: false }, signal)
    assert.equal(settings.upnp, false)
    assert.equal(app.peer, peerBefore, 'nothing changes for the running peer, so it is not restarted')
    await app.stop()
    app = await startTestApp(net, 'alice', { relays: [] })
    assert.equal((await app.handlers.getSnapshot({}, signal)).settings.upnp, false, 'the stored value is used by the next start')
    assert.deepEqual((await app.handlers.checkNetwork({}, signal)).upnp, { status: 'not-enabled' })
  })
})
