/**
 * Invariants: a peer's identity is created once — also when several processes start on a new data folder at once —,
 * kept with mode 0600, and gives the same peer ID after a restart;
 * every network default can be replaced or turned off, and malformed values are refused with a clear error.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity, IDENTITY_FILE } from '../../src-main/core/identity/index.ts'
import { DEFAULT_ICE_SERVERS, DEFAULT_RELAYS, parseIceServers, parseRelays, resolveNetwork, toRtcIceServer } from '../../src-main/core/config/index.ts'
import { rtcConfigurationFor, withTurn } from '../../src-main/core/node/ice.ts'
import { dataDirFrom, mdnsEnabled, readEnvironment } from '../../src-main/app/environment.ts'

const RELAY = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWAygJkSnRcZoD4vHNBa9qyP3EWxLDN43yMYUtPnr43sMj'

describe('identity', () => {
  const dirs: string[] = []
  after(async () => { await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true }))) })

  it('the peer ID is stable across restarts and the key file is private (0600)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-id-'))
    dirs.push(dir)
    const first = peerIdFromPrivateKey(await loadOrCreateIdentity(dir)).toString()
    const second = peerIdFromPrivateKey(await loadOrCreateIdentity(dir)).toString()
    assert.equal(first, second)
    assert.match(first, /^12D3KooW/, 'an Ed25519 peer ID')
    assert.equal((await stat(join(dir, IDENTITY_FILE))).mode & 0o777, 0o600)
  })

  it('a corrupt key file is refused with IdentityError instead of silently replaced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-id-'))
    dirs.push(dir)
    await writeFile(join(dir, IDENTITY_FILE), 'not a key', { mode: 0o600 })
    await assert.rejects(loadOrCreateIdentity(dir), { name: 'IdentityError', code: 'identity-invalid' })
  })

  it('created by several at once (the app and a CLI command on a new data folder), it is one identity for all', async () => {
    for (let round = 0; round < 10; round++) {
      const dir = await mkdtemp(join(tmpdir(), 'ferry-id-'))
      dirs.push(dir)
      const keys = await Promise.all([1, 2, 3, 4].map(async () => loadOrCreateIdentity(dir)))
      const ids = new Set(keys.map(k => peerIdFromPrivateKey(k).toString()))
      assert.equal(ids.size, 1, `round ${round}: ${[...ids].join(', ')}`)
      assert.equal(peerIdFromPrivateKey(await loadOrCreateIdentity(dir)).toString(), [...ids][0], 'the one on disk')
      assert.deepEqual((await readdir(dir)).sort(), [IDENTITY_FILE], 'no temp file left behind')
    }
  })
})

describe('network configuration', () => {
  it('"none" turns ICE servers and relays off', () => {
    assert.deepEqual(resolveNetwork({ iceServers: 'none', relays: 'none' }), { iceServers: [], relays: [] })
    assert.deepEqual(resolveNetwork({ relays: ['none'] }).relays, [])
  })

  it('absent values give the defaults; given ones are parsed (a list, or one comma-separated string)', () => {
    assert.deepEqual(resolveNetwork({}), { iceServers: [...DEFAULT_ICE_SERVERS], relays: [...DEFAULT_RELAYS] })
    assert.deepEqual(resolveNetwork({ relays: [] }).relays, [...DEFAULT_RELAYS])
    assert.deepEqual(resolveNetwork({ relays: RELAY }).relays, [RELAY])
    assert.deepEqual(resolveNetwork({ relays: [RELAY], iceServers: 'stun:127.0.0.1:3478' }), { iceServers: ['stun:127.0.0.1:3478'], relays: [RELAY] })
  })

  it('the FERRY_* environment is read in one place; a CLI flag wins over it (the CLI options)', () => {
    assert.deepEqual(readEnvironment({ FERRY_RELAYS: ` ${RELAY} `, FERRY_ICE_SERVERS: 'none', FERRY_MDNS: 'OFF', FERRY_DATA_DIR: '', FERRY_UPDATE_URL: ' https://u.example.org/f/ ' }), { dataDir: undefined, relays: RELAY, iceServers: 'none', updateUrl: 'https://u.example.org/f/', mdns: false })
    assert.deepEqual(readEnvironment({ FERRY_MDNS: 'on' }), { dataDir: undefined, relays: undefined, iceServers: undefined, updateUrl: undefined })
    assert.equal(mdnsEnabled(undefined, {}), true)
    assert.equal(mdnsEnabled(false, {}), false)
    assert.equal(mdnsEnabled(true, { mdns: false }), false)
  })

  it('malformed relay multiaddrs and ICE URLs are refused with ConfigError', () => {
    assert.throws(() => parseRelays('not-a-multiaddr'), { name: 'ConfigError' })
    assert.throws(() => parseRelays('/ip4/127.0.0.1/tcp/4001'), { name: 'ConfigError', message: /must end with \/p2p/ })
    assert.throws(() => parseIceServers('http://example.test'), { name: 'ConfigError' })
    assert.deepEqual(parseIceServers('stun:a:1, turn:b:2'), ['stun:a:1', 'turn:b:2'])
  })

  it('TURN credentials in the URL become the RTCIceServer username and credential, percent-decoded', () => {
    const url = 'turn:ferry:pa%2Css:w@203.0.113.1:3478?transport=udp'
    assert.deepEqual(parseIceServers(`stun:203.0.113.1:3478,${url}`), ['stun:203.0.113.1:3478', url])
    assert.deepEqual(toRtcIceServer(url), { urls: 'turn:203.0.113.1:3478?transport=udp', username: 'ferry', credential: 'pa,ss:w' })
    assert.deepEqual(toRtcIceServer('stun:203.0.113.1:3478'), { urls: 'stun:203.0.113.1:3478' })
  })

  it('a TURN server without usable credentials is refused with ConfigError, and no message repeats a password', () => {
    assert.throws(() => toRtcIceServer('turn:b:2'), { name: 'ConfigError', message: /needs credentials/ })
    for (const bad of ['turn:user@host:3478', 'turn:us%3Aer:secret1@host:3478', 'turn:u:secret1%40x@host:3478', 'stun:u:secret1@host:3478', 'turn:u:secret1%zz@host']) {
      assert.throws(() => parseIceServers(bad), (err: Error) => err.name === 'ConfigError' && !err.message.includes('secret1'), bad)
    }
  })

  it('TURN servers reach ICE only inside withTurn (the later dial attempts); STUN servers always', async () => {
    const config = rtcConfigurationFor(['stun:203.0.113.1:3478', 'turn:u:p@203.0.113.1:3478'])
    assert.deepEqual(config().iceServers, [{ urls: 'stun:203.0.113.1:3478' }])
    const inside = await withTurn(async () => config().iceServers)
    assert.deepEqual(inside, [{ urls: 'stun:203.0.113.1:3478' }, { urls: 'turn:203.0.113.1:3478', username: 'u', credential: 'p' }])
    assert.deepEqual(config().iceServers, [{ urls: 'stun:203.0.113.1:3478' }], 'outside again: no TURN')
  })

  it('the data directory is the platform app-data folder unless FERRY_DATA_DIR is set', () => {
    assert.equal(dataDirFrom(readEnvironment({ FERRY_DATA_DIR: '/x/y' }), {}, 'linux', '/home/u'), '/x/y')
    assert.equal(dataDirFrom({}, {}, 'linux', '/home/u'), '/home/u/.config/Ferry')
    assert.equal(dataDirFrom({}, { XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u'), '/cfg/Ferry')
    assert.equal(dataDirFrom({}, {}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/Ferry')
  })
})
