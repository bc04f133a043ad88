/**
 * Invariant: sending files looks once for an earlier send of the same files to resume (docs/PROTOCOL.md §8, "Which ID
 * the sender offers"): the app chooses the transfer ID with that lookup, and the transfer service does not look again.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

describe('app: the resume lookup of a send', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-resume-once-'))
    ;[alice, bob] = await Promise.all([startTestApp(net, 'alice'), startTestApp(net, 'bob')])
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('runs once per send, and the send completes', async () => {
    const file = join(net.root, 'note.txt')
    await writeFile(file, 'hello\n')
    const transfers = alice.peer.store.transfers
    const list = transfers.list.bind(transfers)
    let lookups = 0
    transfers.list = (options) => {
      if (options?.direction === 'send' && options.peerId != null) lookups++
      return list(options)
    }
    const off = bob.on('offer', o => { void bob.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal) })
    const completed = nextEvent(alice, 'transfer', t => t.direction === 'send' && t.state === 'completed')
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: file, relativePath: 'note.txt' }] }, signal)
    assert.equal((await completed).id, transferId)
    off()
    transfers.list = list
    assert.equal(lookups, 1, 'sends to this peer listed to find one to resume')
  })
})
