/**
 * Invariant: after an invite round trip, `sendLocalFiles` from A reaches B as an `offer` listing exactly the files'
 * relative paths and sizes; once B accepts, both sides' `transfer` views reach `completed`, B holds byte-identical
 * files, both histories list the transfer, and B's host is asked to show exactly the received file (a path from the
 * store). An offer B declines ends `declined` on A's side, nothing written. A prepared send (the headless server's
 * upload) runs its cleanup once it completed. Contacts can be renamed and removed, and both sides compute the same
 * fingerprint.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { dispatch } from '../../src-main/api/index.ts'
import type { OfferView } from '../../src-main/api/index.ts'
import { randomFile, rm, tempDir, treeHashes } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

describe('app: invite, send, offer, accept or decline', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let a: TestApp
  let b: TestApp
  let src: string
  const shown: string[] = []

  before(async () => {
    const root = await tempDir('ferry-app-send-')
    net = await TestNetwork.start(root)
    a = await startTestApp(net, 'alice')
    b = await startTestApp(net, 'bob', { host: { kind: 'electron', showInFolder: async (p) => { shown.push(p) } } })
    src = join(root, 'src')
    await mkdir(join(src, 'sub'), { recursive: true })
    await writeFile(join(src, 'a.txt'), 'hello from the app\n')
    await randomFile(join(src, 'sub', 'b.bin'), 300_000)
  })
  after(async () => {
    await a?.stop()
    await b?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('B accepts: both sides complete, bytes identical, both histories list it', async () => {
    const invite = (await b.handlers.getSnapshot({}, signal)).identity.invite
    const listed = nextEvent(a, 'peers', list => list.some(p => p.peerId === b.peer.peerId))
    const added = await dispatch(a.handlers, 'addContact', { invite }, signal)
    assert.ok(added.ok, JSON.stringify(added))
    assert.equal((added.result as { peerId: string }).peerId, b.peer.peerId)
    const bob = (await listed).find(p => p.peerId === b.peer.peerId)
    assert.deepEqual([bob?.name, bob?.isContact, bob?.trusted], ['bob', true, false])

    const offered = nextEvent(b, 'offer')
    const aDone = nextEvent(a, 'transfer', t => t.state === 'completed')
    const bDone = nextEvent(b, 'transfer', t => t.state === 'completed')
    const reply = await dispatch(a.handlers, 'sendLocalFiles', {
      peerId: b.peer.peerId,
      files: [{ path: join(src, 'a.txt'), relativePath: 'a.txt' }, { path: join(src, 'sub', 'b.bin'), relativePath: 'sub/b.bin' }]
    }, signal)
    assert.ok(reply.ok, JSON.stringify(reply))
    const { transferId } = reply.result as { transferId: string }

    const offer: OfferView = await offered
    assert.equal(offer.transferId, transferId)
    assert.equal(offer.senderName, 'alice')
    assert.deepEqual(offer.files.map(f => [f.path, f.size]), [['a.txt', 19], ['sub/b.bin', 300_000]])
    assert.deepEqual(await dispatch(b.handlers, 'answerOffer', { transferId, accept: true }, signal), { ok: true, result: { ok: true } })

    const [sent, received] = await Promise.all([aDone, bDone])
    assert.equal(sent.id, transferId)
    assert.equal(received.id, transferId)
    assert.equal(received.transferredBytes, 300_019)
    assert.deepEqual(await treeHashes(b.downloadDir), await treeHashes(src))
    for (const app of [a, b]) {
      const history = await app.handlers.listHistory({}, signal)
      assert.equal(history.find(t => t.id === transferId)?.state, 'completed', app.name)
    }
    const detail = await b.handlers.getTransfer({ transferId }, signal)
    assert.deepEqual(detail.files?.map(f => [f.path, f.state]), [['a.txt', 'verified'], ['sub/b.bin', 'verified']])
    assert.equal(detail.canShowInFolder, true)
    await b.handlers.showInFolder({ transferId, fileIndex: 1 }, signal)
    assert.deepEqual(shown, [join(b.downloadDir, 'sub', 'b.bin')])
    assert.equal((await a.handlers.getTransfer({ transferId }, signal)).canShowInFolder, false, 'a headless host cannot show folders')
    const refused = await dispatch(a.handlers, 'showInFolder', { transferId }, signal)
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'unsupported')
  })

  it('B declines: A\'s transfer ends declined and nothing is written', async () => {
    await writeFile(join(src, 'declined.txt'), 'not wanted\n')
    const before = await readdir(b.downloadDir, { recursive: true })
    const offered = nextEvent(b, 'offer')
    const aEnded = nextEvent(a, 'transfer', t => t.state === 'declined' || t.state === 'failed' || t.state === 'completed')
    const { transferId } = await a.handlers.sendLocalFiles({ peerId: b.peer.peerId, files: [{ path: join(src, 'declined.txt'), relativePath: 'declined.txt' }] }, signal)
    const closed = nextEvent(b, 'offer-closed', c => c.transferId === transferId)
    assert.equal((await offered).transferId, transferId)
    await b.handlers.answerOffer({ transferId, accept: false }, signal)
    await closed
    const ended = await aEnded
    assert.equal(ended.id, transferId)
    assert.equal(ended.state, 'declined')
    assert.equal(ended.error?.code, 'declined')
    assert.match(ended.error?.message ?? '', /^bob declined the files\.$/)
    assert.deepEqual(await readdir(b.downloadDir, { recursive: true }), before)
  })

  it('a prepared send runs its cleanup once it completed', async () => {
    await writeFile(join(src, 'upload.txt'), 'uploaded\n')
    const cleaned = Promise.withResolvers<void>()
    const off = b.on('offer', o => { void b.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal) })
    const done = nextEvent(a, 'transfer', t => t.state === 'completed')
    const { transferId } = await a.sendPrepared({
      peerId: b.peer.peerId,
      files: [{ relPath: 'upload.txt', absPath: join(src, 'upload.txt'), size: 9 }],
      cleanup: async () => { cleaned.resolve() }
    }, signal)
    assert.equal((await done).id, transferId)
    await cleaned.promise
    off()
  })

  it('a contact is renamed, shows the same fingerprint on both sides, and is removed', async () => {
    const renamed = await a.handlers.updateContact({ peerId: b.peer.peerId, name: 'Bob at home' }, signal)
    assert.equal(renamed.name, 'Bob at home')
    const hidden = await dispatch(a.handlers, 'updateContact', { peerId: b.peer.peerId, name: 'Bob\u202Eexe.txt' }, signal)
    assert.equal(hidden.ok ? 'ok' : hidden.error.code, 'invalid-request', 'a name with a bidi override is refused')
    const mine = await a.handlers.getFingerprint({ peerId: b.peer.peerId }, signal)
    const theirs = await b.handlers.getFingerprint({ peerId: a.peer.peerId }, signal)
    assert.match(mine.fingerprint, /^\d{4}( \d{4}){4}$/)
    assert.equal(mine.fingerprint, theirs.fingerprint)
    const gone = nextEvent(a, 'peers', list => !list.some(p => p.peerId === b.peer.peerId))
    assert.deepEqual(await a.handlers.removeContact({ peerId: b.peer.peerId }, signal), { removed: true })
    await gone
    assert.deepEqual(await a.handlers.removeContact({ peerId: b.peer.peerId }, signal), { removed: false })
  })
})
