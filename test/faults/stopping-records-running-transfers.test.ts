/**
 * Fault: Ferry stops (the app quits, `ferry receive` gets SIGTERM) while a transfer is running. Invariant: stopping the
 * transfer service resolves only once the transfers it cancelled have recorded their end, so the store is never
 * closed under one still recording — before, stop resolved at once, and a loaded run of
 * test/hostile/blocked-while-connected.test.ts found a receive left `transferring` in the history after a clean stop.
 * Two in-process peers talk relay-assisted WebRTC through an in-process loopback relay.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

describe('stopping while a transfer runs', () => {
  let net: TestNetwork
  let tx: TestPeer
  let rx: TestPeer

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-stop-running-'))
    ;[tx, rx] = await Promise.all([net.peer('tx', { acceptIncoming: false }), net.peer('rx')])
  })
  after(async () => {
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('the receiver\'s stop resolves with the running receive recorded cancelled, and the sender records it ended too', async () => {
    const file = join(net.root, 'slow.bin')
    await randomFile(file, 16 * 1024 * 1024)
    const receiving = new Promise<string>(resolve => {
      rx.transfers.on('progress', p => { if (p.direction === 'receive' && p.transferredBytes > 0) resolve(p.transferId) })
    })
    assert.ok(rx.addr != null)
    const sending = tx.transfers.send(rx.addr, [file], { limitBytesPerSecond: 1024 * 1024, retryForMs: 0 })
    sending.catch(() => {})
    const transferId = await receiving

    const stopping = Date.now()
    await rx.transfers.stop()
    console.log(`# the receiver's transfer service stopped in ${Date.now() - stopping} ms`)
    assert.equal(rx.store.transfers.get(transferId)?.state, 'cancelled', 'recorded when stop resolved')

    await assert.rejects(sending)
    assert.notEqual(tx.store.transfers.get(transferId)?.state, 'transferring')
  })
})
