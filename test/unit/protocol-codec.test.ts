/**
 * Invariant: the frame codec turns any byte sequence from a peer into either valid, schema-checked messages or a
 * ProtocolError — never a crash, never a buffer larger than the limit of the frame type announced.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  encodeControl, encodeData, FrameDecoder, MAX_CONTROL_BYTES, MAX_DATA_BYTES, MAX_FILES, ProtocolError
} from '../../src-main/core/protocol/index.ts'
import type { ControlMessage } from '../../src-main/core/protocol/index.ts'
import { FAILURE_REASONS } from '../../src-main/core/index.ts'

const offer: ControlMessage = {
  type: 'offer', version: 1, transferId: randomUUID(), totalBytes: 5,
  files: [{ path: 'a/b.txt', size: 2 }, { path: 'ü.bin', size: 3 }]
}

function rawControl (json: string): Uint8Array {
  const body = new TextEncoder().encode(json)
  const frame = new Uint8Array(5 + body.byteLength)
  frame[0] = 0x01
  new DataView(frame.buffer).setUint32(1, body.byteLength)
  frame.set(body, 5)
  return frame
}

describe('protocol codec', () => {
  it('every message survives an encode/decode round trip', () => {
    const messages: ControlMessage[] = [
      offer,
      { type: 'accept', offsets: [0, 0] },
      { type: 'reject', code: 'declined', message: '' },
      { type: 'file-start', index: 1, offset: 0 },
      { type: 'file-start', index: 1, offset: 1048576, prefixSha256: 'b'.repeat(64) },
      { type: 'block', index: 1, offset: 0, sha256: 'c'.repeat(64) },
      { type: 'nack', index: 1, offset: 0 },
      { type: 'rewind', index: 1, offset: 0 },
      { type: 'file-end', index: 1, sha256: 'a'.repeat(64) },
      { type: 'ack', bytes: 123 },
      { type: 'done' },
      { type: 'complete', files: [{ index: 0, sha256: '0'.repeat(64) }] },
      { type: 'error', code: 'hash-mismatch', message: 'x' },
      { type: 'error', code: 'write-failed', message: 'x', reason: 'disk-full' }
    ]
    const decoder = new FrameDecoder()
    for (const m of messages) assert.deepEqual(decoder.push(encodeControl(m)), [{ kind: 'control', message: m }])
  })

  it('an error\'s optional reason is kept when it is a known one and dropped otherwise, never refused', () => {
    const decode = (reason: unknown): unknown => (new FrameDecoder().push(rawControl(JSON.stringify({ type: 'error', code: 'write-failed', message: 'm', reason })))[0] as { message: unknown }).message
    for (const reason of FAILURE_REASONS) assert.deepEqual(decode(reason), { type: 'error', code: 'write-failed', message: 'm', reason })
    for (const reason of ['quantum-foam', 'DISK-FULL', '', 7, null, { a: 1 }, ['disk-full'], 'x'.repeat(10_000)]) {
      const { reason: kept, ...rest } = decode(reason) as { reason?: unknown }
      assert.equal(kept, undefined, JSON.stringify(reason).slice(0, 40))
      assert.deepEqual(rest, { type: 'error', code: 'write-failed', message: 'm' })
    }
    // An older peer's error has no reason at all.
    assert.deepEqual(new FrameDecoder().push(rawControl('{"type":"error","code":"write-failed","message":"m"}'))[0], { kind: 'control', message: { type: 'error', code: 'write-failed', message: 'm' } })
  })

  it('frames split at every byte boundary reassemble into the same messages', () => {
    const data = new Uint8Array([9, 8, 7])
    const bytes = new Uint8Array([...encodeControl(offer), ...encodeData(data).subarray()])
    for (let cut = 0; cut <= bytes.byteLength; cut++) {
      const decoder = new FrameDecoder()
      const frames = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))]
      assert.equal(frames.length, 2)
      assert.deepEqual(frames[0], { kind: 'control', message: offer })
      assert.deepEqual(frames[1], { kind: 'data', bytes: data })
      assert.equal(decoder.bufferedBytes, 0)
    }
  })

  it('an announced length over the limit is refused from the header alone, before any payload is buffered', () => {
    const decoder = new FrameDecoder()
    const header = new Uint8Array([0x02, 0, 0, 0, 0])
    new DataView(header.buffer).setUint32(1, MAX_DATA_BYTES + 1)
    assert.throws(() => decoder.push(header), (e: Error) => e instanceof ProtocolError && /over the 262144-byte limit/.test(e.message))
    const control = new Uint8Array([0x01, 0xff, 0xff, 0xff, 0xff])
    assert.throws(() => new FrameDecoder().push(control), { name: 'ProtocolError' })
    assert.ok(MAX_CONTROL_BYTES < 0xffffffff)
  })

  it('an unknown frame type is a protocol error', () => {
    assert.throws(() => new FrameDecoder().push(new Uint8Array([0x07, 0, 0, 0, 0])), { name: 'ProtocolError', message: /Unknown frame type 0x07/ })
  })

  it('a control payload that is not UTF-8 JSON is a protocol error', () => {
    const bad = new Uint8Array([0x01, 0, 0, 0, 2, 0xff, 0xfe])
    assert.throws(() => new FrameDecoder().push(bad), { name: 'ProtocolError', message: /not valid UTF-8 JSON/ })
    assert.throws(() => new FrameDecoder().push(rawControl('{"type":')), { name: 'ProtocolError' })
  })

  it('messages that break their schema are refused: negative or fractional sizes, huge indexes, wrong totals, unknown types', () => {
    const base = { type: 'offer', version: 1, transferId: randomUUID() }
    const hostile = [
      { ...base, totalBytes: -1, files: [{ path: 'a', size: -1 }] },
      { ...base, totalBytes: 1.5, files: [{ path: 'a', size: 1.5 }] },
      { ...base, totalBytes: 2 ** 60, files: [{ path: 'a', size: 2 ** 60 }] },
      { ...base, totalBytes: 99, files: [{ path: 'a', size: 1 }] },
      { ...base, totalBytes: 0, files: [] },
      { ...base, version: 2, totalBytes: 1, files: [{ path: 'a', size: 1 }] },
      { ...base, transferId: '../../x', totalBytes: 1, files: [{ path: 'a', size: 1 }] },
      { type: 'file-start', index: MAX_FILES, offset: 0 },
      { type: 'file-start', index: -1, offset: 0 },
      { ...base, transferId: '-'.repeat(36), totalBytes: 1, files: [{ path: 'a', size: 1 }] },
      { type: 'file-end', index: 0, sha256: 'zz' },
      { type: 'ack', bytes: '5' },
      { type: 'launch-missiles' },
      [1, 2, 3],
      null
    ]
    for (const value of hostile) {
      assert.throws(() => new FrameDecoder().push(rawControl(JSON.stringify(value))), { name: 'ProtocolError' }, JSON.stringify(value))
    }
  })

  it('an offer with more than MAX_FILES entries is refused', () => {
    const files = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ path: `f${i}`, size: 0 }))
    const json = JSON.stringify({ type: 'offer', version: 1, transferId: randomUUID(), totalBytes: 0, files })
    assert.throws(() => new FrameDecoder().push(rawControl(json)), { name: 'ProtocolError' })
  })

  it('the encoder refuses to build frames over the limits', () => {
    assert.throws(() => encodeData(new Uint8Array(MAX_DATA_BYTES + 1)), { name: 'ProtocolError' })
    assert.throws(() => encodeControl({ type: 'error', code: 'x', message: 'y'.repeat(MAX_CONTROL_BYTES) }), { name: 'ProtocolError' })
  })
})
