/**
 * The relay's per-source limits count by source address: an IPv4 address, or an IPv6 /64 (so one host cannot
 * multiply itself by picking addresses inside its own /64). And a relay's answer to a reservation request reaches
 * the receiver as a typed error: a refusal with its reason, or "cannot be reached".
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { NoRelayError, RelayRefusedError, relayListenError } from '../../src-main/core/node/index.ts'
import { sourceOf } from '../../src-main/core/relay/index.ts'

describe('relay source addresses', () => {
  it('an IPv4 address is its own source, over TCP and WebSockets alike', () => {
    assert.equal(sourceOf(multiaddr('/ip4/203.0.113.7/tcp/4001')), '203.0.113.7')
    assert.equal(sourceOf(multiaddr('/ip4/203.0.113.7/tcp/4002/ws')), '203.0.113.7')
    assert.notEqual(sourceOf(multiaddr('/ip4/203.0.113.8/tcp/4001')), sourceOf(multiaddr('/ip4/203.0.113.7/tcp/4001')))
  })

  it('every IPv6 address of one /64 is one source; another /64 is another', () => {
    const a = sourceOf(multiaddr('/ip6/2001:db8:1:2::1/tcp/4001'))
    assert.equal(a, '2001:db8:1:2::/64')
    assert.equal(sourceOf(multiaddr('/ip6/2001:db8:1:2:ffff:eeee:dddd:cccc/tcp/4001')), a)
    assert.equal(sourceOf(multiaddr('/ip6/2001:0DB8:0001:0002:0:0:0:9/tcp/4001')), a)
    assert.notEqual(sourceOf(multiaddr('/ip6/2001:db8:1:3::1/tcp/4001')), a)
    assert.equal(sourceOf(multiaddr('/ip6/::1/tcp/4001')), '0:0:0:0::/64')
  })

  it('an IPv4-mapped IPv6 address counts as its IPv4 address', () => {
    assert.equal(sourceOf(multiaddr('/ip6/::ffff:203.0.113.7/tcp/4001')), '203.0.113.7')
  })
})

describe('a failed reservation, typed', () => {
  const relay = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWH6Em55STiTGxaB3FvB8hkEZ2BPWFMZFVCxkwSsqx4XXG'

  it('a relay that answered with a refusal gives relay-refused with its reason', () => {
    for (const [status, reason] of [['RESERVATION_REFUSED', 'reservation-refused'], ['PERMISSION_DENIED', 'permission-denied'], ['RESOURCE_LIMIT_EXCEEDED', 'resource-limit-exceeded'], ['MALFORMED_MESSAGE', 'other']]) {
      // The error @libp2p/circuit-relay-v2 (v4) throws when the relay's answer is not OK.
      const err = relayListenError(relay, new Error(`reservation failed with status ${status as string}`))
      assert.ok(err instanceof RelayRefusedError)
      assert.equal(err.code, 'relay-refused')
      assert.equal(err.reason, reason)
      assert.equal(err.relay, relay)
    }
  })

  it('a relay that could not be reached gives no-relay', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4001'), { name: 'DialError' })
    const err = relayListenError(relay, refused)
    assert.ok(err instanceof NoRelayError)
    assert.equal(err.code, 'no-relay')
    assert.ok(relayListenError(relay, new DOMException('timed out', 'TimeoutError')) instanceof NoRelayError)
  })
})
