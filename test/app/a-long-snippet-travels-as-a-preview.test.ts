/**
 * Invariant: a text snippet of 1 MiB is not carried whole in every `transfer` event, snapshot and history page: those
 * carry at most its first `TEXT_PREVIEW_CHARS` characters (never half a surrogate pair), with `textTruncated` and its
 * size in `textBytes`; `getTransfer` gives the whole text, as sent, on both sides — while it runs and once recorded.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { TEXT_PREVIEW_CHARS } from '../../src-main/api/index.ts'
import type { TransferView } from '../../src-main/api/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, record, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

const MIB = 1024 * 1024

describe('app: a long text snippet travels as a preview', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-preview-'))
    ;[alice, bob] = await Promise.all([startTestApp(net, 'alice'), startTestApp(net, 'bob')])
    const invite = (await alice.handlers.getSnapshot({}, signal)).identity.invite
    await bob.handlers.addContact({ invite }, signal)
    await bob.handlers.updateContact({ peerId: alice.peer.peerId, trusted: true }, signal)
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('events, snapshots and history carry at most the preview; getTransfer gives the whole 1 MiB text', async () => {
    // The preview's last character would be the first half of the emoji: the preview stops before it.
    const text = 'x'.repeat(TEXT_PREVIEW_CHARS - 1) + '\u{1F600}' + 'é'.repeat(1000) + 'a'.repeat(MIB - (TEXT_PREVIEW_CHARS - 1) - 4 - 2000)
    assert.equal(Buffer.byteLength(text, 'utf8'), MIB)
    const sent = record(alice, 'transfer')
    const got = record(bob, 'transfer')
    const done = nextEvent(bob, 'transfer', t => t.state === 'completed', 60_000)
    const sendDone = nextEvent(alice, 'transfer', t => t.state === 'completed', 60_000)
    const { transferId } = await alice.handlers.sendText({ peerId: bob.peer.peerId, text }, signal)
    const live = await alice.handlers.getTransfer({ transferId }, signal)
    assert.equal(live.text, text, 'the whole text from getTransfer while it runs')
    await Promise.all([done, sendDone])
    sent.off()
    got.off()

    const previews = (views: TransferView[]): void => {
      assert.ok(views.length > 0)
      for (const v of views) {
        assert.equal(v.kind, 'text')
        assert.equal(v.textBytes, MIB)
        assert.equal(v.textTruncated, true)
        assert.equal(v.text, 'x'.repeat(TEXT_PREVIEW_CHARS - 1), 'the preview: its first characters, not half an emoji')
        assert.ok(JSON.stringify(v).length < 2 * TEXT_PREVIEW_CHARS, `a view of ${JSON.stringify(v).length} characters`)
      }
    }
    previews(sent.seen.filter(v => v.id === transferId))
    previews(got.seen.filter(v => v.id === transferId))
    for (const app of [alice, bob]) {
      previews((await app.handlers.getSnapshot({}, signal)).transfers.filter(v => v.id === transferId))
      previews((await app.handlers.listHistory({}, signal)).filter(v => v.id === transferId))
      const whole = await app.handlers.getTransfer({ transferId }, signal)
      assert.equal(whole.text, text, `${app.name}: the whole text, as sent`)
      assert.equal(whole.textBytes, MIB)
      assert.equal(whole.textTruncated, undefined)
    }
  })

  it('a short snippet is carried whole, with no truncation mark', async () => {
    const done = nextEvent(bob, 'transfer', t => t.state === 'completed' && t.text === 'short')
    await alice.handlers.sendText({ peerId: bob.peer.peerId, text: 'short' }, signal)
    const view = await done
    assert.equal(view.textBytes, 5)
    assert.equal(view.textTruncated, undefined)
  })
})
