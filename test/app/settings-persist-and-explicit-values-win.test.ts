/**
 * Invariant: settings changed in the app are stored and used by the next start; a value the host passes explicitly
 * to `startApp` wins over the stored one for that run. A display-name change shows in the invite at once; a relay
 * change restarts the peer (same peer ID) when nothing runs, after which the relay reservation is held. A relay that
 * cannot be reached shows as `unreachable`, with a `notice` saying what it means.
 */
import assert from 'node:assert/strict'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { createServer } from 'node:net'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startApp } from '../../src-main/app/index.ts'
import type { App, AppInit } from '../../src-main/app/index.ts'
import { decodeInvite } from '../../src-main/core/contacts/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent } from './helpers.ts'

describe('app: settings', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let base: AppInit
  const running = new Set<App>()

  async function start (init: Partial<AppInit> = {}): Promise<App> {
    const app = await startApp({ ...base, ...init })
    running.add(app)
    return app
  }
  async function stop (app: App): Promise<void> {
    running.delete(app)
    await app.stop()
  }

  before(async () => {
    delete process.env.FERRY_RELAYS // this test decides where relays come from
    net = await TestNetwork.start(await tempDir('ferry-app-settings-'))
    base = { dataDir: join(net.root, 'data'), downloadDir: join(net.root, 'downloads'), iceServers: [], mdns: false }
  })
  after(async () => {
    for (const app of running) await app.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('a stored display name, contactsOnly and checkForUpdates are used next time; an explicit name wins', async () => {
    let app = await start({ relays: [] })
    const snapshot = await app.handlers.getSnapshot({}, signal)
    assert.equal(snapshot.identity.relayStatus, 'none')
    assert.equal(snapshot.settings.contactsOnly, false)
    assert.equal(snapshot.settings.checkForUpdates, true, 'update checks are on by default')
    const identity = nextEvent(app, 'identity', i => i.displayName === 'Zed')
    const changed = nextEvent(app, 'settings', s => !s.checkForUpdates)
    const settings = await app.handlers.updateSettings({ displayName: 'Zed', contactsOnly: true, checkForUpdates: false }, signal)
    assert.deepEqual([settings.displayName, settings.contactsOnly, settings.checkForUpdates], ['Zed', true, false])
    assert.equal(decodeInvite((await identity).invite).name, 'Zed')
    assert.equal((await changed).checkForUpdates, false, 'the host learns of the change from the settings event')
    await stop(app)

    app = await start({ relays: [] })
    const again = (await app.handlers.getSnapshot({}, signal)).settings
    assert.deepEqual([again.displayName, again.contactsOnly, again.checkForUpdates], ['Zed', true, false])
    await stop(app)

    app = await start({ relays: [], displayName: 'Given' })
    assert.equal((await app.handlers.getSnapshot({}, signal)).settings.displayName, 'Given')
    await stop(app)
  })

  it('the language setting is stored, used next time, and the app words its errors in it', async () => {
    let app = await start({ relays: [], locale: 'en_US.UTF-8' })
    assert.equal((await app.handlers.getSnapshot({}, signal)).settings.language, 'system', 'the language follows the system by default')
    const refusal = async (): Promise<string> => {
      const err = await app.handlers.addContact({ invite: 'not an invite' }, signal).then(() => undefined, (e: unknown) => e as { code: string, message: string })
      assert.equal(err?.code, 'invalid-invite')
      return err.message
    }
    assert.match(await refusal(), /^This is not a valid Ferry invite/)
    assert.equal((await app.handlers.updateSettings({ language: 'zh-CN' }, signal)).language, 'zh-CN')
    assert.match(await refusal(), /^这不是有效的 Ferry 邀请/, 'the same refusal, in Chinese, once the setting says so')
    await stop(app)

    app = await start({ relays: [], locale: 'en_US.UTF-8' })
    assert.equal((await app.handlers.getSnapshot({}, signal)).settings.language, 'zh-CN')
    assert.match(await refusal(), /^这不是有效的 Ferry 邀请/)
    await app.handlers.updateSettings({ language: 'system' }, signal)
    assert.match(await refusal(), /^This is not a valid Ferry invite/, 'system: the locale the host gave (English)')
    await stop(app)
  })

  it('a relay change restarts the peer with the relay; stored relays are used when none is given', async () => {
    let app = await start({ relays: [] })
    const peerId = app.peer.peerId
    const reserved = nextEvent(app, 'identity', i => i.relayStatus === 'reserved', 20_000)
    const settings = await app.handlers.updateSettings({ relays: [net.relayAddr] }, signal)
    assert.deepEqual(settings.relays, [net.relayAddr])
    const identity = await reserved
    assert.equal(identity.peerId, peerId)
    assert.deepEqual(decodeInvite(identity.invite).relays, [net.relayAddr])
    assert.ok(identity.addrs.some(a => a.includes('/p2p-circuit/webrtc/')), identity.addrs.join(' '))
    assert.equal(app.peer.peerId, peerId)
    await stop(app)

    app = await start()
    assert.deepEqual((await app.handlers.getSnapshot({}, signal)).settings.relays, [net.relayAddr])
    await stop(app)
  })

  it('an unreachable relay shows unreachable and says so in a notice', async () => {
    // A relay address where something accepts TCP connections and never answers (a black hole): each try waits.
    const sockets = new Set<Socket>()
    const silent = createServer(socket => { sockets.add(socket); socket.on('error', () => {}) })
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    after(() => { for (const s of sockets) s.destroy(); silent.close() })
    const port = (silent.address() as { port: number }).port
    const relay = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()}`
    const app = await start({ relays: [relay], dataDir: join(net.root, 'data-unreachable') })
    const unreachable = nextEvent(app, 'identity', i => i.relayStatus === 'unreachable', 30_000)
    const notice = nextEvent(app, 'notice', n => n.code === 'no-relay', 30_000)
    assert.equal((await app.handlers.getSnapshot({}, signal)).identity.relayStatus, 'connecting')
    await unreachable
    assert.match((await notice).message, /relay cannot be reached/)
    await stop(app)
  })

  it('relayForContacts is on by default (the peer relays: its identify lists the HOP protocol); switched off, the peer restarts without it and the next run keeps it off', async () => {
    let app = await start({ relays: [] })
    assert.equal((await app.handlers.getSnapshot({}, signal)).settings.relayForContacts, true)
    assert.ok(app.peer.node.getProtocols().includes(RELAY_V2_HOP_CODEC), 'the relay for contacts runs')
    const settings = await app.handlers.updateSettings({ relayForContacts: false }, signal)
    assert.equal(settings.relayForContacts, false)
    assert.ok(!app.peer.node.getProtocols().includes(RELAY_V2_HOP_CODEC), 'the restarted peer runs no relay')
    await stop(app)
    app = await start({ relays: [] })
    assert.equal((await app.handlers.getSnapshot({}, signal)).settings.relayForContacts, false)
    assert.ok(!app.peer.node.getProtocols().includes(RELAY_V2_HOP_CODEC))
    await stop(app)
  })
})
