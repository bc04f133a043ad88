/**
 * Attack: frames and messages that break the protocol — huge or "negative" lengths, unknown frame types, bytes that
 * are not JSON, messages that fail their schema, an offer of a million entries, data before any offer. Invariant: the
 * victim answers `protocol-error` (or `invalid-offer`), ends the stream, never buffers more than a frame type's limit,
 * keeps serving other peers, and writes nothing.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { entries, offerOf, victimAndAttacker } from './malicious-peer.ts'
import type { RawStream } from './malicious-peer.ts'

/** The victim's answer: its error code, or 'reset' when it ended the stream without one. */
async function answerOf (s: RawStream): Promise<string> {
  try {
    const msg = await s.nextControl(5000)
    return msg.type === 'error' || msg.type === 'reject' ? msg.code : msg.type
  } catch (err) {
    return (err as Error).name === 'StreamClosedError' ? 'reset' : String(err)
  }
}

describe('hostile peer: malformed messages', () => {
  const t = victimAndAttacker()

  it('a frame announcing 4 GiB (a "negative" 32-bit length) is refused from its header alone', async () => {
    const s = await t.attacker.open(t.victim.addr)
    s.raw(new Uint8Array([0x01, 0xff, 0xff, 0xff, 0xff]))
    assert.equal(await answerOf(s), 'protocol-error')
  })

  it('a data frame over 256 KiB is refused from its header alone', async () => {
    const s = await t.attacker.open(t.victim.addr)
    s.raw(new Uint8Array([0x02, 0x00, 0x04, 0x00, 0x01]))
    assert.equal(await answerOf(s), 'protocol-error')
  })

  it('an unknown frame type is refused', async () => {
    const s = await t.attacker.open(t.victim.addr)
    s.raw(new Uint8Array([0x7f, 0, 0, 0, 0]))
    assert.equal(await answerOf(s), 'protocol-error')
  })

  it('a control frame that is not JSON is refused', async () => {
    const s = await t.attacker.open(t.victim.addr)
    s.raw(new Uint8Array([0x01, 0, 0, 0, 3, 0xde, 0xad, 0xbe]))
    assert.equal(await answerOf(s), 'protocol-error')
  })

  for (const [what, value] of [
    ['a negative file size', { ...offerOf([{ path: 'a', size: 1 }]), files: [{ path: 'a', size: -5 }], totalBytes: -5 }],
    ['a size beyond 2^53', { ...offerOf([{ path: 'a', size: 1 }]), files: [{ path: 'a', size: 2 ** 60 }], totalBytes: 2 ** 60 }],
    ['a total that is not the sum of the sizes', { ...offerOf([{ path: 'a', size: 1 }]), totalBytes: 1000 }],
    ['a size given as a string', { ...offerOf([{ path: 'a', size: 1 }]), files: [{ path: 'a', size: '1' }] }],
    ['a protocol version from the future', { ...offerOf([{ path: 'a', size: 1 }]), version: 9 }],
    ['a transfer ID that is not a UUID', { ...offerOf([{ path: 'a', size: 1 }]), transferId: '../../../etc' }]
  ] as const) {
    it(`an offer with ${what} is refused`, async () => {
      const s = await t.attacker.open(t.victim.addr)
      s.control(value)
      assert.equal(await answerOf(s), 'protocol-error')
    })
  }

  it('an offer of a million entries is refused without being buffered whole', async () => {
    // Built and framed (type 0x01 = control, u32 big-endian length) before the stream opens, so the victim's offer
    // timer does not run while this process spends a loaded machine's seconds encoding ~30 MB of JSON.
    const files = Array.from({ length: 1_000_000 }, (_, i) => ({ path: `f${i}`, size: 0 }))
    const json = new TextEncoder().encode(JSON.stringify({ type: 'offer', version: 1, transferId: randomUUID(), totalBytes: 0, files }))
    const frame = new Uint8Array(5 + json.length)
    frame[0] = 0x01
    new DataView(frame.buffer).setUint32(1, json.length)
    frame.set(json, 5)
    const s = await t.attacker.open(t.victim.addr)
    s.raw(frame)
    assert.equal(await answerOf(s), 'protocol-error')
  })

  it('data before any offer is refused', async () => {
    const s = await t.attacker.open(t.victim.addr)
    s.data(new Uint8Array(100))
    assert.equal(await answerOf(s), 'protocol-error')
  })

  it('a file-start out of order, and a block hash for a file not in progress, are refused', async () => {
    const s = await t.attacker.open(t.victim.addr)
    s.control(offerOf([{ path: 'a', size: 1 }, { path: 'b', size: 1 }]))
    assert.equal((await s.nextControl()).type, 'accept')
    s.control({ type: 'file-start', index: 1, offset: 0 })
    s.control({ type: 'file-start', index: 0, offset: 0 })
    assert.equal(await answerOf(s), 'protocol-error')
    const second = await t.attacker.open(t.victim.addr)
    second.control(offerOf([{ path: 'c', size: 1 }]))
    assert.equal((await second.nextControl()).type, 'accept')
    second.control({ type: 'block', index: 0, offset: 0, sha256: '0'.repeat(64) })
    assert.equal(await answerOf(second), 'protocol-error')
  })

  it('after all of this the victim still serves an honest offer, and nothing was written', async () => {
    assert.deepEqual((await entries(t.victim.downloadDir)).filter(e => !e.endsWith('.part')), [])
    const s = await t.attacker.open(t.victim.addr)
    s.control(offerOf([{ path: 'fine.txt', size: 0 }]))
    assert.equal((await s.nextControl()).type, 'accept')
  })
})
