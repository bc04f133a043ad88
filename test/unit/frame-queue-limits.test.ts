/**
 * The receiver's caps on queued control frames never cut off an honest sender: the largest backlog one can have —
 * `file-start`, `block` and `file-end` of every file of the largest offer (one-byte files: no window holds them back),
 * the `block`s of a full window, and `done` — fits under both caps, with the encodings the sender really writes.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BLOCK_BYTES, encodeControl, MAX_FILE_BYTES, MAX_FILES, WINDOW_BYTES } from '../../src-main/core/protocol/index.ts'
import { MAX_QUEUED_CONTROL_BYTES, MAX_QUEUED_CONTROL_FRAMES } from '../../src-main/core/transfer/channel.ts'

describe('queued control frame caps', () => {
  it('hold the largest backlog of an honest sender', () => {
    const sha256 = 'f'.repeat(64)
    const index = MAX_FILES - 1
    // Per file: the longest encodings (largest index; a resumed file-start with its prefix hash; the largest offset).
    const perFile = [
      encodeControl({ type: 'file-start', index, offset: MAX_FILE_BYTES, prefixSha256: sha256 }),
      encodeControl({ type: 'block', index, offset: MAX_FILE_BYTES, sha256 }),
      encodeControl({ type: 'file-end', index, sha256 })
    ]
    const windowBlocks = 2 * (WINDOW_BYTES / BLOCK_BYTES)
    const frames = perFile.length * MAX_FILES + windowBlocks + 1
    const bytes = MAX_FILES * perFile.reduce((n, f) => n + f.byteLength, 0) +
      windowBlocks * encodeControl({ type: 'block', index, offset: MAX_FILE_BYTES, sha256 }).byteLength +
      encodeControl({ type: 'done' }).byteLength
    assert.ok(frames <= MAX_QUEUED_CONTROL_FRAMES, `${frames} frames > ${MAX_QUEUED_CONTROL_FRAMES}`)
    assert.ok(bytes <= MAX_QUEUED_CONTROL_BYTES, `${bytes} bytes > ${MAX_QUEUED_CONTROL_BYTES}`)
  })
})
