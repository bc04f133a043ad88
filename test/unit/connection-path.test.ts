/**
 * Invariant: a connection describes the path its bytes take — for WebRTC the selected ICE candidate pair read from
 * node-datachannel's peer connection, and `relayed: true` whenever a server carries the bytes (a TURN relay candidate
 * on either side, or a relayed circuit without limits) — and never claims a pair it cannot read.
 * (The network lab, test/netlab, checks the same fields on real connections across NATs.)
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Connection } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { describeConnection, pairType } from '../../src-main/core/node/index.ts'

const RELAY = '/ip4/203.0.113.1/tcp/4001/p2p/12D3KooWGRUVh6E6k4Lk8JQxMWz5qUHVhKkLqeb9fZvWcVLf8aFh'
const PEER = '12D3KooWQqkQXeBdEzmhD79UBJVN8TmeJkR3MMBnzhWr8KsSfxA2'

/** A stand-in for a libp2p connection: the fields describeConnection reads. */
function fakeConnection (remoteAddr: string, pair?: { local: string, remote: string }, limits?: object): Connection {
  const peerConnection = pair == null
    ? {}
    : { selectedCandidatePair: () => ({ local: { type: pair.local, address: '203.0.113.11', port: 5000 }, remote: { type: pair.remote, address: '203.0.113.1', port: 49152 } }) }
  return { remoteAddr: multiaddr(remoteAddr), limits, maConn: { peerConnection } } as unknown as Connection
}

describe('connection path', () => {
  it('a WebRTC connection reports its selected candidate pair, and a TURN relay candidate on either side means relayed', () => {
    const direct = describeConnection(fakeConnection(`${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`, { local: 'srflx', remote: 'prflx' }))
    assert.equal(direct.transport, 'webrtc')
    assert.equal(direct.relayed, false)
    assert.equal(direct.candidateType, 'prflx')
    assert.deepEqual(direct.candidates, { local: 'srflx', remote: 'prflx', localAddress: '203.0.113.11:5000', remoteAddress: '203.0.113.1:49152' })
    for (const pair of [{ local: 'relay', remote: 'srflx' }, { local: 'host', remote: 'relay' }]) {
      const turn = describeConnection(fakeConnection(`${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`, pair))
      assert.equal(turn.relayed, true)
      assert.equal(turn.candidateType, 'relay')
    }
  })

  it('an unlimited relayed circuit is relayed; a limited one is limited; neither claims a candidate pair', () => {
    const circuit = describeConnection(fakeConnection(`${RELAY}/p2p-circuit/p2p/${PEER}`))
    assert.equal(circuit.transport, 'circuit-relay')
    assert.equal(circuit.relayed, true)
    assert.equal(circuit.limited, false)
    assert.equal(circuit.candidates, undefined)
    assert.equal(describeConnection(fakeConnection(`${RELAY}/p2p-circuit/p2p/${PEER}`, undefined, { bytes: 1n })).limited, true)
  })

  it('a WebRTC connection whose peer connection cannot tell its pair reports none rather than a guess', () => {
    const info = describeConnection(fakeConnection(`${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`))
    assert.equal(info.candidates, undefined)
    assert.equal(info.candidateType, undefined)
    assert.equal(info.relayed, false)
    const tcp = describeConnection(fakeConnection(`/ip4/10.99.1.2/tcp/4001/p2p/${PEER}`, { local: 'relay', remote: 'relay' }))
    assert.equal(tcp.transport, 'tcp')
    assert.equal(tcp.relayed, false, 'only WebRTC connections read a candidate pair')
  })

  it('the one-word summary is the most translated side: host < srflx < prflx < relay', () => {
    assert.equal(pairType({ local: 'host', remote: 'host', localAddress: '', remoteAddress: '' }), 'host')
    assert.equal(pairType({ local: 'host', remote: 'srflx', localAddress: '', remoteAddress: '' }), 'srflx')
    assert.equal(pairType({ local: 'prflx', remote: 'srflx', localAddress: '', remoteAddress: '' }), 'prflx')
    assert.equal(pairType({ local: 'relay', remote: 'host', localAddress: '', remoteAddress: '' }), 'relay')
  })
})
