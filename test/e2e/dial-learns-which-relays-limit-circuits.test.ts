/**
 * Invariant: a peer learns from the relayed connections it sees whether a relay limits its circuits — the default
 * relay does (the WebRTC handshake's own signalling circuit tells), a relay started with `relayData` does not — so
 * the dial race never opens a relayed-data circuit through a relay known to limit it (docs/CONNECTIVITY.md §1).
 * Real peers and real relays on loopback.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { relayLimits } from '../../src-main/core/node/relay-limits.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'

/** `<relay>/p2p-circuit/p2p/<peer>` of a WebRTC-through-relay address. */
function circuitOf (addr: Multiaddr): Multiaddr {
  return multiaddr(addr.toString().replace('/p2p-circuit/webrtc/', '/p2p-circuit/'))
}

for (const relayData of [false, true]) {
  describe(`a relay ${relayData ? 'that carries data' : 'that limits its circuits'}`, () => {
    it(`is learned as ${relayData ? 'not limiting' : 'limiting'} from the first send through it, and the send is direct WebRTC`, async () => {
      const root = await tempDir('ferry-relay-limits-')
      const net = await TestNetwork.start(root, { relayData })
      try {
        const rx = await net.peer('rx')
        const tx = await net.peer('tx', { acceptIncoming: false })
        const addr = rx.addr
        assert.ok(addr != null)
        assert.equal(relayLimits(tx.node, circuitOf(addr)), undefined, 'nothing is known before the first circuit')
        const file = join(root, 'one.bin')
        await randomFile(file, 256 * 1024)
        const result = await tx.transfers.send(addr, [file])
        assert.equal(result.connection.transport, 'webrtc')
        assert.equal(relayLimits(tx.node, circuitOf(addr)), !relayData)
        assert.equal(relayLimits(rx.node, circuitOf(addr)), !relayData, 'the receiver learns it from the circuit it accepted')
      } finally {
        await net.stop()
        await rm(root, { recursive: true, force: true })
      }
    })
  })
}
