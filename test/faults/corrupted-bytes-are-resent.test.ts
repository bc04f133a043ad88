/**
 * Invariant: a byte corrupted on the way is caught by the block hash of its 1 MiB block; the receiver asks for exactly
 * that block again (one `nack`), the sender rewinds to it, and only that block plus what was already in flight is
 * sent a second time — not the whole file. The file arrives byte-identical and both sides record it completed.
 *
 * The corruption is injected on the receiver, by a stream middleware whose `message` listener runs before the
 * transfer handler's and flips one byte of one data frame in place (the handler sees the same event object).
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { StreamMiddleware } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { BLOCK_BYTES, CHUNK_BYTES, FRAME_DATA, FRAME_HEADER_BYTES, WINDOW_BYTES } from '../../src-main/core/protocol/index.ts'
import type { TransferResult } from '../../src-main/core/transfer/index.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { controlOf, fileSha256, TestNetwork, wireTap } from '../helpers/peers.ts'
import type { TappedStream, TestPeer } from '../helpers/peers.ts'

const FILE_BYTES = 64 * 1024 * 1024
/** Offset in the file of the byte that is flipped: inside block 2 (which starts at 2 MiB). */
const CORRUPT_AT = 2 * BLOCK_BYTES + 300_000
const BAD_BLOCK = CORRUPT_AT - (CORRUPT_AT % BLOCK_BYTES)

/**
 * A middleware that flips the byte at file offset `at` in the data frames of the first incoming stream, once, by
 * following the frame headers on the wire. `flipped` is the file offset it corrupted.
 */
function corruptOnce (at: number): { middleware: StreamMiddleware, flipped: number[] } {
  const flipped: number[] = []
  let used = false
  const middleware: StreamMiddleware = (stream, connection, next) => {
    if (used) { next(stream, connection); return }
    used = true
    const header = new Uint8ArrayList()
    let payloadLeft = 0
    let isData = false
    let dataOffset = 0 // file bytes seen so far in data frames (one file, no rewind before the flip)
    stream.addEventListener('message', (evt) => {
      const data = evt.data
      for (let i = 0; i < data.byteLength;) {
        if (payloadLeft === 0) {
          header.append(data.subarray(i, i + 1))
          i++
          if (header.byteLength === FRAME_HEADER_BYTES) {
            isData = header.get(0) === FRAME_DATA
            payloadLeft = header.getUint32(1)
            header.consume(FRAME_HEADER_BYTES)
          }
          continue
        }
        const span = Math.min(payloadLeft, data.byteLength - i)
        if (isData && flipped.length === 0 && at >= dataOffset && at < dataOffset + span) {
          const pos = i + (at - dataOffset)
          if (data instanceof Uint8Array) data[pos] = (data[pos] ?? 0) ^ 0xff
          else data.set(pos, data.get(pos) ^ 0xff)
          flipped.push(at)
        }
        if (isData) dataOffset += span
        payloadLeft -= span
        i += span
      }
    })
    next(stream, connection)
  }
  return { middleware, flipped }
}

describe('a corrupted chunk', () => {
  let root: string
  let net: TestNetwork
  let rx: TestPeer
  let tx: TestPeer
  let source: string
  let result: TransferResult
  const corrupter = corruptOnce(CORRUPT_AT)
  const tap = wireTap()
  let stream: TappedStream

  before(async () => {
    root = await tempDir('ferry-corrupt-')
    source = join(root, 'big.bin')
    await randomFile(source, FILE_BYTES)
    net = await TestNetwork.start(root)
    // The corrupter's listener first, then the tap's, then the handler's: the tap and the handler see the flipped byte.
    rx = await net.peer('rx', { middleware: [corrupter.middleware, tap.middleware] })
    tx = await net.peer('tx', { acceptIncoming: false })
    const addr = rx.addr
    assert.ok(addr != null)
    result = await tx.transfers.send(addr, [source])
    assert.equal(tap.streams.length, 1, 'one transfer stream')
    stream = tap.streams[0] as TappedStream
  })

  after(async () => {
    await net?.stop()
    await rm(root, { recursive: true, force: true })
  })

  it('the byte was flipped on its way to the handler', () => {
    assert.deepEqual(corrupter.flipped, [CORRUPT_AT])
  })

  it('the receiver asked again for exactly the corrupted block, once, and the sender rewound to it', () => {
    const nacks = stream.sent.filter(m => m.type === 'nack')
    assert.deepEqual(nacks, [{ type: 'nack', index: 0, offset: BAD_BLOCK }])
    const rewinds = stream.received.filter(f => f.kind === 'control' && f.type === 'rewind')
    assert.equal(rewinds.length, 1)
    assert.deepEqual(controlOf(stream, 'rewind'), { type: 'rewind', index: 0, offset: BAD_BLOCK })
  })

  it('only the bad block and what was in flight were sent again, not the whole file', () => {
    const resent = stream.dataBytes - FILE_BYTES
    // Data frames between the bad block's hash and the rewind were in flight when the nack went out, and discarded.
    const badBlockAt = stream.received.findIndex(f => f.kind === 'control' && f.type === 'block' && f.message.offset === BAD_BLOCK)
    const rewindAt = stream.received.findIndex(f => f.kind === 'control' && f.type === 'rewind')
    assert.ok(badBlockAt >= 0 && rewindAt > badBlockAt)
    const inFlight = stream.received.slice(badBlockAt, rewindAt).reduce((n, f) => n + (f.kind === 'data' ? f.bytes : 0), 0)
    assert.equal(resent, BLOCK_BYTES + inFlight, `re-sent ${resent} bytes = the bad block + ${inFlight} in flight`)
    assert.ok(inFlight <= WINDOW_BYTES + CHUNK_BYTES, `in flight ${inFlight} ≤ the flow-control window`)
    assert.ok(resent < FILE_BYTES - BAD_BLOCK, `re-sent ${resent} bytes, less than a restart from the bad block`)
    console.log(`# re-sent ${(resent / 1048576).toFixed(2)} MiB of ${FILE_BYTES / 1048576} MiB (${(inFlight / 1048576).toFixed(2)} MiB were in flight)`)
  })

  it('the file is byte-identical and both sides record the transfer completed', async () => {
    assert.equal(await fileSha256(join(rx.downloadDir, 'big.bin')), await fileSha256(source))
    assert.deepEqual(await readdir(rx.downloadDir), ['big.bin'])
    assert.equal(result.skippedBytes, 0)
    for (const peer of [rx, tx]) assert.equal(peer.store.transfers.get(result.transferId)?.state, 'completed')
  })
})
