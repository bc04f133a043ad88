/**
 * Leak: a transfer that fails on one side tells the other side why, with an `error` frame. Local error messages name
 * local paths (a failed read names the sender's file, with its folders and user name).
 * Invariant: the peer is told a code and a message built only from what it already knows; the sender's own record
 * keeps the full local message.
 */
import assert from 'node:assert/strict'
import { mkdir, truncate } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

describe('leak: local paths in the error told to the peer', () => {
  let net: TestNetwork
  let sender: TestPeer
  let receiver: TestPeer

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-path-leak-'))
    receiver = await net.peer('receiver')
    sender = await net.peer('sender', { acceptIncoming: false })
  })
  after(async () => {
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('a sender whose file shrinks mid-send tells the receiver read-failed without its path', async () => {
    const secretDir = join(net.root, 'home-of-alice-secret-project')
    const source = join(secretDir, 'big.bin')
    await mkdir(secretDir)
    await randomFile(source, 32 * 1048576)
    const told = new Promise<{ code: string, message: string }>(resolve => receiver.transfers.on('failed', f => resolve(f)))
    let shrunk = false
    sender.transfers.on('progress', p => {
      if (!shrunk && p.transferredBytes > 0) { shrunk = true; void truncate(source, 1048576) }
    })
    const err = await sender.transfers.send(receiver.addr!, [source]).then(() => undefined, (e: unknown) => e as { code: string, message: string })
    assert.equal(err?.code, 'read-failed', 'the sender failed reading its own file')
    assert.ok(err.message.includes(secretDir), 'the sender\'s own error names its file')
    const failure = await told
    assert.equal(failure.code, 'read-failed')
    assert.ok(!failure.message.includes(secretDir) && !failure.message.includes(net.root), `the receiver was told: ${failure.message}`)
  })
})
