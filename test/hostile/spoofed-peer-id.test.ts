/**
 * Attack: an attacker that answers at an address advertised for someone else (spoofed discovery, a hostile relay or
 * LAN) hoping to receive the files meant for that peer. Invariant: a dial names the peer ID it expects, and the
 * Noise handshake proves the remote holds that peer ID's key, so the connection fails before any offer is sent.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { startPeer } from '../../src-main/core/peer/index.ts'
import type { Peer } from '../../src-main/core/peer/index.ts'
import { startVictim } from './malicious-peer.ts'
import type { Victim } from './malicious-peer.ts'

describe('hostile peer: an impostor at the expected address', () => {
  let impostor: Victim
  let sender: Peer
  let dir: string

  before(async () => {
    impostor = await startVictim()
    dir = await mkdtemp(join(tmpdir(), 'ferry-spoof-'))
    sender = await startPeer({ dataDir: join(dir, 'data'), downloadDir: join(dir, 'dl'), relays: [], iceServers: [], acceptIncoming: false })
    await writeFile(join(dir, 'secret.txt'), 'for the real peer only')
  })
  after(async () => {
    await sender.stop()
    await impostor.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('sending to a peer ID whose key the remote does not hold fails, and the impostor receives no offer', async () => {
    const expected = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const tcp = impostor.addr.toString().replace(/\/p2p\/[^/]+$/, '')
    const spoofed = multiaddr(`${tcp}/p2p/${expected}`)
    await assert.rejects(sender.transfers.send(spoofed, [join(dir, 'secret.txt')], { signal: AbortSignal.timeout(20_000) }), { name: 'DialError' })
    assert.equal(impostor.offers.length, 0)
    assert.equal(sender.store.transfers.list().length, 0, 'no transfer was even offered')
  })
})
