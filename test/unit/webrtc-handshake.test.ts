/**
 * Invariants of the relay-assisted WebRTC handshake, on real nodes through a real relay (the time each saves is
 * measured by `npm run bench`, "connect via relay"):
 * - a Ferry peer answers as the DTLS server (`a=setup:passive`) and the peer that dialled is the DTLS client, so the
 *   dialler's ClientHello cannot arrive before the answerer's DTLS transport exists (src-main/core/node/dtls-role.ts);
 *   only the `a=setup:actpass` line of an incoming offer is changed;
 * - a dial whose DTLS handshake fails is tried again at once rather than at the attempt's timeout, and the next try
 *   connects; a handshake that keeps failing is tried again for the attempt's whole window and then reported as
 *   HandshakeFailedError, not as a timeout (src-main/core/node/failed-handshake.ts, dial.ts). The failure is made
 *   certain by giving the dialler a wrong certificate fingerprint in the answer, which is what libdatachannel's race
 *   amounts to.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { RTCPeerConnection } from 'node-datachannel/polyfill'
import { createNode, describeConnection, dialDirect, DialError, HandshakeFailedError, waitForReservation } from '../../src-main/core/node/index.ts'
import type { FerryLibp2p } from '../../src-main/core/node/index.ts'
import { asActiveOffer } from '../../src-main/core/node/dtls-role.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'

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

describe('relay-assisted WebRTC handshake', () => {
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
    let net: TestNetwork
    let listener: FerryLibp2p
    let dialer: FerryLibp2p
    let addr: string
    let outbound: Connection
    let inbound: Connection
    /** Answers the dialler applies next get a wrong certificate fingerprint while this is above 0. */
    let corruptAnswers = 0

    before(async () => {
      root = await tempDir('ferry-dtls-role-')
      // Only the relay of a TestNetwork: the two peers here are bare nodes, so the test sees their connections.
      net = await TestNetwork.start(root)
      listener = await createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [net.relayAddr], iceServers: [] })
      dialer = await createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [], iceServers: [], acceptIncoming: false })
      // Installed after createNode, so it wraps Ferry's own hooks: only answers (which only the dialler applies).
      const setRemoteDescription = RTCPeerConnection.prototype.setRemoteDescription
      RTCPeerConnection.prototype.setRemoteDescription = async function (this: RTCPeerConnection, d: Parameters<typeof setRemoteDescription>[0]) {
        if (d.type === 'answer' && d.sdp != null && corruptAnswers > 0) {
          corruptAnswers--
          d = { type: d.type, sdp: d.sdp.replace(/^(a=fingerprint:sha-256 )([0-9A-F]{2})/m, (_m: string, head: string, byte: string) => head + (byte === '00' ? '01' : '00')) }
        }
        await setRemoteDescription.call(this, d)
      }
      const found = (await waitForReservation(listener)).find(a => a.includes('/p2p-circuit/webrtc/'))
      assert.ok(found != null, 'the listener has a relay-assisted WebRTC address')
      addr = found
      outbound = await dialDirect(dialer, multiaddr(addr))
      const deadline = Date.now() + 10_000
      while (Date.now() < deadline) {
        const found = listener.getConnections(dialer.peerId).find(c => describeConnection(c).transport === 'webrtc')
        if (found != null) { inbound = found; break }
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      assert.ok(inbound != null, 'the listener sees the WebRTC connection')
    })

    /**
     * Hangs up and waits until neither side has a connection left, then one more second: the listener admits
     * INBOUND_CONNECTION_THRESHOLD (5) connections per second from one host, and every dial here is a relayed circuit
     * plus a WebRTC connection from 127.0.0.1.
     */
    async function apart (): Promise<void> {
      await dialer.hangUp(listener.peerId)
      for (let i = 0; i < 200 && (dialer.getConnections(listener.peerId).length > 0 || listener.getConnections(dialer.peerId).length > 0); i++) await new Promise(resolve => setTimeout(resolve, 20))
      await new Promise(resolve => setTimeout(resolve, 1_100))
    }

    after(async () => {
      await dialer?.stop()
      await listener?.stop()
      await net?.stop()
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

    it('a failed DTLS handshake is tried again at once (not at the timeout), and a later try connects', async () => {
      await apart()
      corruptAnswers = 1
      const retries: unknown[] = []
      const conn = await dialDirect(dialer, multiaddr(addr), { attempts: 1, relayFallback: false, attemptTimeoutMs: 60_000, onRetry: (_n, e) => { retries.push(e) } })
      assert.equal(corruptAnswers, 0, 'the corrupted answer was used')
      // Usually exactly one failed try; on a loaded machine the listener may still be tearing the failed one down and
      // refuse the next try too, which is then tried again the same way.
      assert.ok(retries.length >= 1, 'the failed handshake was tried again')
      assert.ok(retries.every(e => e instanceof HandshakeFailedError), `failed handshakes, not timeouts: ${retries.map(String).join('; ')}`)
      assert.equal(describeConnection(conn).transport, 'webrtc')
      assert.equal(describeConnection(conn).limited, false)
    })

    it('a handshake that keeps failing is tried for the whole attempt window, then reported as HandshakeFailedError', async () => {
      await apart()
      corruptAnswers = 1_000
      const retries: unknown[] = []
      const err = await dialDirect(dialer, multiaddr(addr), { attempts: 1, relayFallback: false, attemptTimeoutMs: 60_000, onRetry: (_n, e) => { retries.push(e) } })
        .then(() => undefined, (e: unknown) => e)
      corruptAnswers = 0
      assert.ok(err instanceof DialError, `a DialError: ${String(err)}`)
      assert.ok(err.cause instanceof HandshakeFailedError, `caused by the failed handshake, not a timeout: ${String(err.cause)}`)
      assert.ok(retries.length >= 2, `tried again within the window: ${retries.length} retries`)
      assert.ok(retries.every(e => e instanceof HandshakeFailedError))
    })
  })
})
