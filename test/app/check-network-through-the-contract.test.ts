/**
 * Invariant: "Check network" (`checkNetwork`) runs the network check on the relays the running app uses and its ICE
 * servers, and answers through the contract with the measurements and words for people: the relay answers with a
 * reservation and a ping time, both STUN servers (on two loopback IPs, asked from one socket) saw this host's own
 * address — no NAT — and the headline says so. Two calls at once share one check.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { dispatch } from '../../src-main/api/index.ts'
import type { NetworkCheckView } from '../../src-main/api/index.ts'
import { REACH_WORDS } from '../../src-main/app/index.ts'
import { t } from '../../src-main/text/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { stunResponder } from '../helpers/stun.ts'
import type { StunResponder } from '../helpers/stun.ts'
import { startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

describe('app: check network', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let app: TestApp
  let stun: StunResponder[]

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-netcheck-'))
    stun = await Promise.all(['127.0.0.1', '127.0.0.2'].map(async ip => stunResponder(ip, { kind: 'reflect' })))
    app = await startTestApp(net, 'alice', { iceServers: stun.map((s, i) => `stun:127.0.0.${i + 1}:${s.port}`) })
  })
  after(async () => {
    await app?.stop()
    for (const s of stun ?? []) s.socket.close()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('the configured relay and STUN servers are asked; the result says no NAT, in data and in words', async () => {
    const [one, two] = await Promise.all([1, 2].map(async () => dispatch(app.handlers, 'checkNetwork', {}, signal)))
    assert.ok(one?.ok === true && two?.ok === true, JSON.stringify([one, two]))
    const view = one.result as NetworkCheckView
    assert.equal((two.result as NetworkCheckView).checkedAt, view.checkedAt, 'two calls at once share one check')
    assert.deepEqual(JSON.parse(JSON.stringify(view)), view, 'plain JSON')
    assert.equal(view.relays.length, 1)
    assert.equal(view.relays[0]?.relay, net.relayAddr)
    assert.equal(view.relays[0]?.reservation, 'granted')
    assert.equal(typeof view.relays[0]?.pingMs, 'number')
    assert.equal(view.udp, 'works')
    assert.equal(view.mapping, 'no-nat', JSON.stringify(view.stun))
    assert.equal(view.reach, 'public')
    assert.equal(view.headline, t(REACH_WORDS.public))
    assert.ok(view.details.some(l => l.startsWith(`Relay ${net.relayAddr}: answers`) && l.includes('reservation granted')), view.details.join('\n'))
    assert.ok(view.details.some(l => l.startsWith('NAT: none')), view.details.join('\n'))
    assert.ok(stun.every(s => s.received >= 1), 'each STUN server was asked')
    const bad = await dispatch(app.handlers, 'checkNetwork', { servers: ['stun:198.51.100.1'] }, signal)
    assert.equal(bad.ok, false, 'the page cannot choose the servers asked')
  })
})
