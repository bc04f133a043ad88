/**
 * Invariant: a Ferry peer answers relay-assisted WebRTC as the DTLS server (`a=setup:passive`) and the peer that
 * dialled is the DTLS client, on a real connection through a real relay — so the dialler's ClientHello cannot arrive
 * before the answerer's DTLS transport exists (src-main/core/node/dtls-role.ts; the time it saves is measured by
 * `npm run bench`, "connect via relay"). Only the `a=setup:actpass` line of an incoming offer is changed.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, describeConnection, dialDirect, waitForReservation } from '../../src-main/core/node/index.ts'
import type { FerryLibp2p } from '../../src-main/core/node/index.ts'
import { asActiveOffer } from '../../src-main/core/node/dtls-role.ts'
import { loadOrCreateIdentity } from '../../src-main/core/identity/index.ts'
import { createRelay } from '../../src-main/core/relay/index.ts'

const OFFER = [
  'v=0', 'o=rtc 1 0 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0', 'a=mid:0', 'a=setup:actpass', 'a=ice-ufrag:abcd', 'a=fingerprint:sha-256 AA:BB', ''
]

/** The SDP `a=setup:` value of a connection's local and remote description (node-datachannel's peer connection). */
function setupRoles (conn: Connection): { local: string | undefined, remote: string | undefined } {
  const pc = (conn as unknown as { maConn: { peerConnection: { localDescription: { sdp: string }, remoteDescription: { sdp: string } } } }).maConn.peerConnection
  const role = (sdp: string): string | undefined => /^a=setup:(\w+)/m.exec(sdp)?.[1]
  return { local: role(pc.localDescription.sdp), remote: role(pc.remoteDescription.sdp) }
}

describe('DTLS role of relay-assisted WebRTC', () => {
  it('an incoming actpass offer is read as active: only that line changes, with CRLF or LF line endings', () => {
    for (const eol of ['\r\n', '\n']) {
      const offer = OFFER.join(eol)
      const read = asActiveOffer(offer)
      assert.equal(read, offer.replace('a=setup:actpass', 'a=setup:active'))
      assert.equal(read.split(eol).length, OFFER.length)
    }
    for (const fixed of ['a=setup:active', 'a=setup:passive']) {
      const offer = OFFER.join('\r\n').replace('a=setup:actpass', fixed)
      assert.equal(asActiveOffer(offer), offer, `an offer with ${fixed} is left as it is`)
    }
    assert.equal(asActiveOffer('a=setup:actpassive\r\n'), 'a=setup:actpassive\r\n', 'only the whole attribute value matches')
  })

  describe('two Ferry nodes through a real relay', () => {
    let root: string
    let relay: Libp2p
    let listener: FerryLibp2p
    let dialer: FerryLibp2p
    let outbound: Connection
    let inbound: Connection

    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'ferry-dtls-role-'))
      relay = await createRelay({ privateKey: await loadOrCreateIdentity(join(root, 'relay')), listen: ['/ip4/127.0.0.1/tcp/0'] })
      const relayAddr = relay.getMultiaddrs().map(String).find(a => a.includes('/tcp/') && !a.includes('/ws')) as string
      listener = await createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [relayAddr], iceServers: [] })
      dialer = await createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [], iceServers: [], acceptIncoming: false })
      const addr = (await waitForReservation(listener)).find(a => a.includes('/p2p-circuit/webrtc/'))
      assert.ok(addr != null, 'the listener has a relay-assisted WebRTC address')
      outbound = await dialDirect(dialer, multiaddr(addr))
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline) {
        const found = listener.getConnections(dialer.peerId).find(c => describeConnection(c).transport === 'webrtc')
        if (found != null) { inbound = found; break }
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      assert.ok(inbound != null, 'the listener sees the WebRTC connection')
    })

    after(async () => {
      await dialer?.stop()
      await listener?.stop()
      await relay?.stop()
      await rm(root, { recursive: true, force: true })
    })

    it('the dialler offers actpass and the answerer takes the passive (DTLS server) role', () => {
      assert.deepEqual(setupRoles(outbound), { local: 'actpass', remote: 'passive' })
      assert.equal(setupRoles(inbound).local, 'passive')
    })

    it('the connection is direct WebRTC and not limited, and a ping round trip runs on it', async () => {
      const info = describeConnection(outbound)
      assert.equal(info.transport, 'webrtc')
      assert.equal(info.limited, false)
      const rtt = await dialer.services.ping.ping(listener.peerId)
      assert.ok(rtt >= 0)
    })
  })
})
