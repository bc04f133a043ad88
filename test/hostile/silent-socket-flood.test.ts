/**
 * Attack: raw TCP sockets to the receiver's direct address that never say a word, opened again as soon as the
 * receiver closes them. Each holds one of the receiver's slots for inbound connections still in their handshake
 * (`maxIncomingPendingConnections`) until the upgrade times out; with the slots full, every inbound connection is
 * refused — also a contact's relayed connection and its WebRTC connection, so its send fails with `peer-unreachable`.
 *
 * Invariant: a trusted contact's 10 MiB send during the flood completes within max(2×, +5 s) of its unattacked time.
 * The attacker here holds 10 silent sockets (the outside tester's number) from each of 3 source addresses.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { attackerAddress, lockoutBound, startScene } from './lockout-scene.ts'
import type { LockoutScene } from './lockout-scene.ts'

const SOCKETS_PER_SOURCE = 10
const SOURCES = 3
/** Pause before a closed socket is opened again, ms. */
const REOPEN_MS = 50

/** Silent sockets held open against `host:port`, each reopened `REOPEN_MS` after the receiver closes it. */
class SilentFlood {
  private stopped = false
  private readonly sockets = new Set<Socket>()
  /** Sockets the receiver closed (its upgrade timeout or a refusal), over the whole attack. */
  closedByVictim = 0

  constructor (host: string, port: number) {
    for (let i = 0; i < SOCKETS_PER_SOURCE * SOURCES; i++) this.open(host, port, attackerAddress(i, SOURCES))
  }

  /** Sockets connected right now. */
  get connected (): number {
    return [...this.sockets].filter(s => s.readyState === 'open').length
  }

  private open (host: string, port: number, localAddress: string): void {
    if (this.stopped) return
    const socket = connect({ host, port, localAddress })
    this.sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => {
      this.sockets.delete(socket)
      if (this.stopped) return
      this.closedByVictim++
      setTimeout(() => this.open(host, port, localAddress), REOPEN_MS)
    })
  }

  stop (): void {
    this.stopped = true
    for (const s of this.sockets) s.destroy()
  }
}

describe('hostile strangers: a flood of silent sockets', () => {
  let scene: LockoutScene
  let flood: SilentFlood | undefined

  before(async () => { scene = await startScene('ferry-silent-flood-') })
  after(async () => {
    flood?.stop()
    await scene?.stop()
  })

  it('a trusted contact still sends within twice its unattacked time while silent sockets hold the handshake slots', async (t) => {
    const unattacked = await scene.send(60_000)
    assert.ok(unattacked.ok, `the unattacked send failed: ${unattacked.stderr}`)
    const bound = lockoutBound(unattacked.ms)

    const [, , host, , port] = scene.victimTcp.split('/') // /ip4/<host>/tcp/<port>/p2p/<id>
    flood = new SilentFlood(host ?? '', Number(port))
    await new Promise(resolve => setTimeout(resolve, 1_000))
    const held = flood.connected
    const attacked = await scene.send(bound)
    t.diagnostic(`unattacked ${unattacked.ms} ms; bound ${bound} ms; attacked ${attacked.ms} ms (${attacked.ok ? 'completed' : `failed: exit ${attacked.exit}`}); ` +
      `silent sockets connected before the send ${held}, after it ${flood.connected}; closed by the victim ${flood.closedByVictim}`)
    assert.ok(attacked.ok, `the contact's send failed during the flood (exit ${attacked.exit}, ${attacked.ms} ms): ${attacked.stderr}`)
    assert.ok(attacked.ms <= bound, `the contact's send took ${attacked.ms} ms, over ${bound} ms`)
  })
})
