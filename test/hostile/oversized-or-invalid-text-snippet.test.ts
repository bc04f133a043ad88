/**
 * Attack: a text-snippet offer (`kind: 'text'`, docs/PROTOCOL.md §4 "offer") that is too big (1 MiB + 1 byte of
 * UTF-8), or not valid Unicode (a lone surrogate escaped in the JSON, or raw bytes that are not UTF-8). Invariant: the
 * victim refuses it before asking anyone (`invalid-offer`, or `protocol-error` for a frame that is not UTF-8),
 * records nothing in its store and writes nothing to its download folder; a snippet of exactly 1 MiB is accepted and
 * kept in the store, not on disk.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { entries, victimAndAttacker } from './malicious-peer.ts'
import type { RawStream } from './malicious-peer.ts'

const MIB = 1024 * 1024

/** A text-snippet offer carrying `text`, its `totalBytes` the UTF-8 length unless given. */
function textOffer (text: string, totalBytes = Buffer.byteLength(text, 'utf8')): { transferId: string, offer: Record<string, unknown> } {
  const transferId = randomUUID()
  return { transferId, offer: { type: 'offer', version: 1, transferId, kind: 'text', text, totalBytes, files: [] } }
}

/** The victim's answer: its code, the message type, or 'reset' when it ended the stream without one. */
async function answerOf (s: RawStream): Promise<string> {
  try {
    const msg = await s.nextControl(10_000)
    return msg.type === 'error' || msg.type === 'reject' ? msg.code : msg.type
  } catch (err) {
    return (err as Error).name === 'StreamClosedError' ? 'reset' : String(err)
  }
}

describe('hostile peer: oversized or invalid text snippets', () => {
  const t = victimAndAttacker()

  it('a snippet of 1 MiB + 1 byte is refused invalid-offer, unasked and unrecorded', async () => {
    const { transferId, offer } = textOffer('x'.repeat(MIB + 1))
    const s = await t.attacker.open(t.victim.addr)
    s.control(offer)
    assert.equal(await answerOf(s), 'invalid-offer')
    assert.equal(t.victim.offers.length, 0)
    assert.equal(t.victim.peer.store.transfers.get(transferId), undefined)
  })

  it('a snippet of 262,144 four-byte emoji plus one byte (1 MiB + 1 of UTF-8, half that in UTF-16 units) is refused', async () => {
    const { transferId, offer } = textOffer('😀'.repeat(MIB / 4) + 'x')
    const s = await t.attacker.open(t.victim.addr)
    s.control(offer)
    assert.equal(await answerOf(s), 'invalid-offer')
    assert.equal(t.victim.peer.store.transfers.get(transferId), undefined)
  })

  it('a snippet with a lone surrogate (not Unicode, so not UTF-8) is refused invalid-offer', async () => {
    const { transferId, offer } = textOffer('hello \ud800 world')
    const s = await t.attacker.open(t.victim.addr)
    s.control(offer)
    assert.equal(await answerOf(s), 'invalid-offer')
    assert.equal(t.victim.peer.store.transfers.get(transferId), undefined)
  })

  it('a snippet whose bytes are not UTF-8 is refused', async () => {
    const transferId = randomUUID()
    const head = new TextEncoder().encode(`{"type":"offer","version":1,"transferId":"${transferId}","kind":"text","totalBytes":3,"files":[],"text":"`)
    const body = new Uint8Array([...head, 0xff, 0xfe, 0xfd, 0x22, 0x7d])
    const frame = new Uint8Array(5 + body.length)
    frame[0] = 0x01
    new DataView(frame.buffer).setUint32(1, body.length)
    frame.set(body, 5)
    const s = await t.attacker.open(t.victim.addr)
    s.raw(frame)
    assert.equal(await answerOf(s), 'protocol-error')
    assert.equal(t.victim.peer.store.transfers.get(transferId), undefined)
  })

  it('a snippet whose totalBytes is not its UTF-8 length, or that also lists files, is refused', async () => {
    for (const offer of [textOffer('abc', 4).offer, { ...textOffer('abc').offer, files: [{ path: 'a', size: 0 }] }]) {
      const s = await t.attacker.open(t.victim.addr)
      s.control(offer)
      assert.match(await answerOf(s), /^(invalid-offer|protocol-error)$/)
      assert.equal(t.victim.peer.store.transfers.get(String(offer.transferId)), undefined)
    }
  })

  it('a snippet of exactly 1 MiB, control and bidi characters included, is accepted and kept as sent, in the store only', async () => {
    const text = '\u202eevil\u0007 ' + 'y'.repeat(MIB - 9)
    assert.equal(Buffer.byteLength(text, 'utf8'), MIB)
    const { transferId, offer } = textOffer(text)
    const s = await t.attacker.open(t.victim.addr)
    s.control(offer)
    assert.equal(await answerOf(s), 'accept')
    s.control({ type: 'done' })
    assert.equal(await answerOf(s), 'complete')
    const record = t.victim.peer.store.transfers.get(transferId)
    assert.equal(record?.state, 'completed')
    assert.equal(record?.kind, 'text')
    assert.equal(record?.text, text)
    assert.equal(t.victim.offers.at(-1)?.text, text)
    assert.deepEqual(await entries(t.victim.downloadDir), [])
  })
})
