/**
 * Invariant: a send still `connecting` (its route not yet found) stops when cancelled and ends `cancelled`, listed in
 * the history; requests the contract's schemas refuse never reach a handler and come back `invalid-request` (or
 * `unknown-call`), and bad invite text is `invalid-invite` with a message for a person.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { Socket } from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { dispatch } from '../../src-main/api/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

describe('app: cancelling a connecting send, refusing bad requests', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  // A TCP port that accepts connections and never answers: a dial to it hangs until cancelled.
  const sockets = new Set<Socket>()
  const blackhole = createServer(s => { sockets.add(s); s.on('close', () => sockets.delete(s)) })

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-cancel-'))
    alice = await startTestApp(net, 'alice')
    await new Promise<void>(resolve => blackhole.listen(0, '127.0.0.1', resolve))
  })
  after(async () => {
    await alice?.stop()
    await net?.stop()
    for (const s of sockets) s.destroy()
    await new Promise(resolve => blackhole.close(resolve))
    await rm(net.root, { recursive: true, force: true })
  })

  it('cancelTransfer stops a send that is still connecting', async () => {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const port = (blackhole.address() as { port: number }).port
    alice.peer.store.contacts.upsert({ peerId, name: 'Hole', addrs: [`/ip4/127.0.0.1/tcp/${port}/p2p/${peerId}`] })
    const file = join(net.root, 'a.txt')
    await writeFile(file, 'never sent\n')
    const connecting = nextEvent(alice, 'transfer', t => t.state === 'connecting')
    const ended = nextEvent(alice, 'transfer', t => t.state !== 'connecting')
    const { transferId } = await alice.handlers.sendLocalFiles({ peerId, files: [{ path: file, relativePath: 'a.txt' }] }, signal)
    assert.equal((await connecting).id, transferId)
    assert.deepEqual(await dispatch(alice.handlers, 'cancelTransfer', { transferId }, signal), { ok: true, result: { ok: true } })
    const view = await ended
    assert.equal(view.id, transferId)
    assert.equal(view.state, 'cancelled')
    assert.equal(view.canCancel, false)
    assert.equal((await alice.handlers.listHistory({ peerId }, signal))[0]?.state, 'cancelled')
    const again = await dispatch(alice.handlers, 'cancelTransfer', { transferId }, signal)
    assert.equal(again.ok ? 'ok' : again.error.code, 'not-running')
  })

  it('malformed requests are invalid-request, unknown calls unknown-call, bad invites invalid-invite', async () => {
    const codeOf = async (name: string, request: unknown): Promise<string> => {
      const reply = await dispatch(alice.handlers, name, request, signal)
      return reply.ok ? 'ok' : reply.error.code
    }
    assert.equal(await codeOf('sendLocalFiles', { peerId: 'not a peer ID!', files: [] }), 'invalid-request')
    assert.equal(await codeOf('answerOffer', { transferId: 'x', accept: 'yes' }), 'invalid-request')
    assert.equal(await codeOf('getSnapshot', { extra: 1 }), 'invalid-request')
    assert.equal(await codeOf('updateSettings', { relays: 'not a list' }), 'invalid-request')
    assert.equal(await codeOf('removeEverything', {}), 'unknown-call')
    const bad = await dispatch(alice.handlers, 'addContact', { invite: 'ferry:nonsense' }, signal)
    assert.ok(!bad.ok)
    assert.equal(bad.error.code, 'invalid-invite')
    assert.match(bad.error.message, /^This is not a valid Ferry invite: /)
  })
})
