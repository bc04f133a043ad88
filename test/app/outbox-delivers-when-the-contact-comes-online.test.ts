/**
 * Invariant: a send queued for a contact who is offline (`sendLocalFiles`/`sendText` with `queue`) is kept in the
 * sender's SQLite outbox across a stop and start of the sender's app on the same data directory, and is offered once
 * presence sees the contact online: the receiver gets byte-identical files (and the text), the transfer has the
 * entry's ID, and the sender gets an `outbox-delivered` notice. A cancelled entry is never sent; an entry whose file
 * changed or vanished meanwhile ends `failed` with code `outbox-stale` and its reason (`file-changed`, `file-gone`),
 * and nothing of it reaches the receiver. Real peers on a loopback relay, real files, real SQLite.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { OfferView, TransferView } from '../../src-main/api/index.ts'
import { randomFile, rm, tempDir, treeHashes } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, record, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

/** Presence checks often enough that a contact coming online is seen within seconds. */
const PRESENCE = { presence: { intervalMs: 2_000, misses: 2, checkTimeoutMs: 1_500 } }

describe('app: the outbox delivers when the contact comes online', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let a: TestApp
  let b: TestApp | undefined
  let src: string
  let bobId: string
  const ids: Record<'good' | 'text' | 'cancelled' | 'changed' | 'gone', string> = { good: '', text: '', cancelled: '', changed: '', gone: '' }

  before(async () => {
    const root = await tempDir('ferry-app-outbox-')
    net = await TestNetwork.start(root)
    src = join(root, 'src')
    a = await startTestApp(net, 'alice', PRESENCE)
    b = await startTestApp(net, 'bob', PRESENCE)
    bobId = b.peer.peerId
    // Contacts both ways; Bob trusts Alice, so her offers are accepted without asking.
    await a.handlers.addContact({ invite: (await b.handlers.getSnapshot({}, signal)).identity.invite }, signal)
    await b.handlers.addContact({ invite: (await a.handlers.getSnapshot({}, signal)).identity.invite }, signal)
    await b.handlers.updateContact({ peerId: a.peer.peerId, trusted: true }, signal)
    await b.stop()
    b = undefined
    await mkdir(src, { recursive: true })
    await randomFile(join(src, 'photo.bin'), 3 * 1024 * 1024 + 17)
    await writeFile(join(src, 'cancel-me.txt'), 'never sent\n')
    await writeFile(join(src, 'will-change.txt'), 'first version\n')
    await writeFile(join(src, 'will-vanish.txt'), 'here for now\n')
  })
  after(async () => {
    await a?.stop()
    await b?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('sends queued for an offline contact are listed, and one cancelled leaves the list', async () => {
    const queue = async (name: string): Promise<string> =>
      (await a.handlers.sendLocalFiles({ peerId: bobId, queue: true, files: [{ path: join(src, name), relativePath: name }] }, signal)).transferId
    ids.good = await queue('photo.bin')
    ids.text = (await a.handlers.sendText({ peerId: bobId, text: 'see you at 6', queue: true }, signal)).transferId
    ids.cancelled = await queue('cancel-me.txt')
    ids.changed = await queue('will-change.txt')
    ids.gone = await queue('will-vanish.txt')
    const listed = await a.handlers.listOutbox({}, signal)
    assert.deepEqual(listed.map(e => e.id), [ids.good, ids.text, ids.cancelled, ids.changed, ids.gone])
    assert.deepEqual(listed.map(e => [e.peerName, e.fileCount, e.totalBytes]), [
      ['bob', 1, 3 * 1024 * 1024 + 17], ['bob', 0, 12], ['bob', 1, 11], ['bob', 1, 14], ['bob', 1, 13]])
    assert.equal(listed[1]?.kind, 'text')
    const emitted = nextEvent(a, 'outbox', list => !list.some(e => e.id === ids.cancelled))
    assert.deepEqual(await a.handlers.cancelOutbox({ id: ids.cancelled }, signal), { cancelled: true })
    await emitted
    assert.deepEqual(await a.handlers.cancelOutbox({ id: ids.cancelled }, signal), { cancelled: false })
    const again = await a.handlers.sendLocalFiles({ peerId: bobId, queue: true, files: [{ path: join(src, 'photo.bin'), relativePath: 'photo.bin' }] }, signal)
    assert.equal(again.transferId, ids.good, 'the same files queued again are the same entry')
  })

  it('the outbox survives a restart of the sender; files changed meanwhile are noted', async () => {
    await a.stop()
    // Same size, new bytes and a new modification time; and one deleted.
    await writeFile(join(src, 'will-change.txt'), 'second versio\n')
    await utimes(join(src, 'will-change.txt'), new Date(), new Date(Date.now() + 5_000))
    await unlink(join(src, 'will-vanish.txt'))
    a = await startTestApp(net, 'alice', PRESENCE)
    const listed = await a.handlers.listOutbox({}, signal)
    assert.deepEqual(listed.map(e => e.id), [ids.good, ids.text, ids.changed, ids.gone])
    assert.deepEqual((await a.handlers.getSnapshot({}, signal)).outbox.map(e => e.id), listed.map(e => e.id))
  })

  it('once the contact comes online: the queued files and text arrive verified, stale ones are reported, nothing else is written', async () => {
    const ended = new Map<string, TransferView>()
    const waiting = new Set([ids.good, ids.text, ids.changed, ids.gone])
    const allEnded = Promise.withResolvers<void>()
    const off = a.on('transfer', t => {
      if (!waiting.has(t.id) || t.running) return
      ended.set(t.id, t)
      if (ended.size === waiting.size) allEnded.resolve()
    })
    const notices = record(a, 'notice')
    const emptied = nextEvent(a, 'outbox', list => list.length === 0, 60_000)
    b = await startTestApp(net, 'bob', PRESENCE)
    const offers: OfferView[] = []
    const offOffer = b.on('offer', o => { offers.push(o) })
    const received = record(b, 'transfer')
    const timer = setTimeout(() => allEnded.reject(new Error(`ended: ${JSON.stringify([...ended.values()].map(t => [t.id, t.state]))}`)), 90_000)
    await allEnded.promise
    clearTimeout(timer)
    off()
    offOffer()
    await emptied

    assert.equal(ended.get(ids.good)?.state, 'completed')
    assert.equal(ended.get(ids.text)?.state, 'completed')
    assert.deepEqual([ended.get(ids.changed)?.state, ended.get(ids.changed)?.error?.code, ended.get(ids.changed)?.error?.reason], ['failed', 'outbox-stale', 'file-changed'])
    assert.deepEqual([ended.get(ids.gone)?.state, ended.get(ids.gone)?.error?.code, ended.get(ids.gone)?.error?.reason], ['failed', 'outbox-stale', 'file-gone'])
    assert.match(ended.get(ids.changed)?.error?.message ?? '', /changed after it was queued/)

    // Bob has exactly the photo, byte-identical, and the text; nothing of the stale or cancelled sends.
    assert.deepEqual(await readdir(b.downloadDir), ['photo.bin'])
    assert.deepEqual((await treeHashes(b.downloadDir)).get('photo.bin'), (await treeHashes(src)).get('photo.bin'))
    assert.deepEqual(await readFile(join(b.downloadDir, 'photo.bin')), await readFile(join(src, 'photo.bin')))
    const bobHistory = await b.handlers.listHistory({}, signal)
    assert.deepEqual(bobHistory.map(t => t.id).sort(), [ids.good, ids.text].sort())
    assert.equal(bobHistory.find(t => t.id === ids.text)?.text, 'see you at 6')
    assert.equal(offers.length, 0, 'trusted: accepted without asking')
    assert.ok(!received.seen.some(t => t.id === ids.cancelled || t.id === ids.changed || t.id === ids.gone))

    // Alice's history has the stale ones as failed sends, the delivered ones completed; and a notice for each delivery.
    const aliceHistory = await a.handlers.listHistory({}, signal)
    assert.equal(aliceHistory.find(t => t.id === ids.gone)?.error?.reason, 'file-gone')
    assert.equal(aliceHistory.find(t => t.id === ids.good)?.state, 'completed')
    assert.equal(aliceHistory.some(t => t.id === ids.cancelled), false)
    assert.equal(notices.seen.filter(n => n.code === 'outbox-delivered').length, 2)
    notices.off()
    received.off()
    assert.deepEqual(await a.handlers.listOutbox({}, signal), [])
  })

  it('only a contact can be queued for', async () => {
    const stranger = net.relay.peerId.toString()
    await assert.rejects(a.handlers.sendText({ peerId: stranger, text: 'hi', queue: true }, signal), (err: { code?: string }) => err.code === 'not-a-contact')
  })

  it('text a send would refuse (1 MiB + 2 bytes of UTF-8) is refused when queued, not when the contact comes online: nothing is queued', async () => {
    const before = (await a.handlers.listOutbox({}, signal)).length
    const text = '\u00e9'.repeat(512 * 1024 + 1)
    await assert.rejects(a.handlers.sendText({ peerId: bobId, text, queue: true }, signal), (err: { code?: string }) => err.code === 'invalid-offer')
    assert.equal((await a.handlers.listOutbox({}, signal)).length, before)
  })
})
