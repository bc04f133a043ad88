/**
 * Attack: Mallory's invite names her with Bob's peer ID, hoping that files meant for Bob — sent by peer ID, as the
 * UI does — are routed to the contact with that name.
 * Invariant: the app service looks the recipient up by peer ID only: the offer reaches Bob, never Mallory.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { encodeInvite } from '../../src-main/core/contacts/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, record, startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'

describe('hostile: a contact named like another peer\'s ID', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp
  let mallory: TestApp

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-spoof-'))
    ;[alice, bob, mallory] = await Promise.all([startTestApp(net, 'alice'), startTestApp(net, 'bob'), startTestApp(net, 'mallory')])
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop(), mallory?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('a send to Bob\'s peer ID reaches Bob', async () => {
    const spoof = encodeInvite({ peerId: mallory.peer.peerId, name: bob.peer.peerId.slice(0, 64), relays: [net.relayAddr] })
    await alice.handlers.addContact({ invite: spoof, name: bob.peer.peerId.slice(0, 64) }, signal)
    const toMallory = record(mallory, 'offer')
    const toBob = nextEvent(bob, 'offer')
    const file = join(net.root, 'for-bob.txt')
    await writeFile(file, 'for Bob only\n')
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId: bob.peer.peerId, files: [{ path: file, relativePath: 'for-bob.txt' }] }, signal)
    assert.equal((await toBob).transferId, transferId)
    assert.equal(toMallory.seen.length, 0)
    await bob.handlers.answerOffer({ transferId, accept: false }, signal)
    toMallory.off()
  })
})
