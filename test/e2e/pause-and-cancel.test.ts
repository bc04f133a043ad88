/**
 * Invariants: a transfer can be cancelled or paused from either side, and both sides then record the same final state
 * — `cancelled` (the partial file removed), or `interrupted` with code `paused` (what was verified kept) — and a
 * paused transfer resumes with `resumeSend` without sending its verified bytes again, ending byte-identical.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'
import { listAll, randomFile, rm, tempDir, treeHashes } from '../helpers/files.ts'
import { mkdir, writeFile } from 'node:fs/promises'
import type { TransferProgress } from '../../src-main/core/index.ts'

const SIZE = 48 * 1024 * 1024

describe('pause and cancel from either side', () => {
  let root: string
  let net: TestNetwork
  let sender: TestPeer
  let receiver: TestPeer
  let source: string

  before(async () => {
    root = await tempDir()
    source = join(root, 'movie.bin')
    await randomFile(source, SIZE)
    net = await TestNetwork.start(root)
    receiver = await net.peer('receiver')
    sender = await net.peer('sender', { acceptIncoming: false })
  })
  after(async () => {
    await net.stop()
    await rm(root, { recursive: true, force: true })
  })

  /** Starts a send and resolves with its transfer ID once `side` has seen `bytes` arrive or leave. */
  async function startSend (side: TestPeer, bytes: number): Promise<{ id: string, sending: Promise<unknown> }> {
    const { promise, resolve } = Promise.withResolvers<string>()
    const onProgress = (p: TransferProgress): void => { if (p.transferredBytes >= bytes) resolve(p.transferId) }
    side.transfers.on('progress', onProgress)
    const sending = sender.transfers.send(receiver.addr!, [source]).then(r => r, (err: unknown) => err)
    const id = await promise
    side.transfers.off('progress', onProgress)
    return { id, sending }
  }

  async function settled (id: string, state: string, code?: string): Promise<void> {
    const deadline = Date.now() + 15_000
    while (Date.now() < deadline) {
      const s = sender.store.transfers.get(id)
      const r = receiver.store.transfers.get(id)
      if (s?.state === state && r?.state === state && (code == null || (s.errorCode === code && r.errorCode === code))) return
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.fail(`both sides should record ${state}${code != null ? `/${code}` : ''}: sender ${JSON.stringify(sender.store.transfers.get(id))}, receiver ${JSON.stringify(receiver.store.transfers.get(id))}`)
  }

  it('the receiver cancels: both record cancelled, the sender is told, and no partial file is left', async () => {
    const { id, sending } = await startSend(receiver, 4 * 1024 * 1024)
    assert.ok(receiver.transfers.cancel(id))
    const err = await sending as { code?: string }
    assert.equal(err.code, 'cancelled')
    await settled(id, 'cancelled', 'cancelled')
    assert.deepEqual(await listAll(receiver.downloadDir), [])
  })

  it('the sender cancels: both record cancelled and no partial file is left', async () => {
    const { id, sending } = await startSend(sender, 4 * 1024 * 1024)
    assert.ok(sender.transfers.cancel(id))
    await sending
    await settled(id, 'cancelled', 'cancelled')
    assert.deepEqual(await listAll(receiver.downloadDir), [])
  })

  it('the receiver pauses: both record it paused, and the sender resumes it without resending verified bytes', async () => {
    const { id, sending } = await startSend(receiver, 8 * 1024 * 1024)
    assert.ok(receiver.transfers.pause(id))
    const err = await sending as { code?: string }
    assert.equal(err.code, 'paused')
    await settled(id, 'interrupted', 'paused')
    const result = await sender.transfers.resumeSend(id)
    assert.ok((result.skippedBytes ?? 0) >= 8 * 1024 * 1024 - 1024 * 1024, `skipped ${result.skippedBytes}`)
    await settled(id, 'completed')
    assert.equal(await fileSha256(join(receiver.downloadDir, 'movie.bin')), await fileSha256(source))
  })

  it('the sender pauses: both record it paused, and resuming completes it byte-identical', async () => {
    const { id, sending } = await startSend(sender, 8 * 1024 * 1024)
    assert.ok(sender.transfers.pause(id))
    await sending
    await settled(id, 'interrupted', 'paused')
    const result = await sender.transfers.resumeSend(id)
    assert.ok((result.skippedBytes ?? 0) > 0)
    await settled(id, 'completed')
    assert.equal(await fileSha256(join(receiver.downloadDir, 'movie (1).bin')), await fileSha256(source))
  })

  it('a paused folder resumes: files already placed (an empty one, one of exactly 2 MiB) are skipped, the rest completes', async () => {
    const folder = join(root, 'album')
    await mkdir(folder)
    await writeFile(join(folder, 'a-empty.txt'), '')
    await randomFile(join(folder, 'b-two-mib.bin'), 2 * 1024 * 1024)
    await randomFile(join(folder, 'c-big.bin'), 24 * 1024 * 1024)
    const { promise, resolve } = Promise.withResolvers<string>()
    const onProgress = (p: TransferProgress): void => { if (p.fileIndex === 2 && p.transferredBytes >= 8 * 1024 * 1024) resolve(p.transferId) }
    receiver.transfers.on('progress', onProgress)
    const sending = sender.transfers.send(receiver.addr!, [folder]).then(r => r, (err: unknown) => err)
    const id = await promise
    receiver.transfers.off('progress', onProgress)
    assert.ok(receiver.transfers.pause(id))
    await sending
    await settled(id, 'interrupted', 'paused')
    const result = await sender.transfers.resumeSend(id)
    assert.ok((result.skippedBytes ?? 0) >= 2 * 1024 * 1024)
    await settled(id, 'completed')
    assert.deepEqual(await treeHashes(join(receiver.downloadDir, 'album')), await treeHashes(folder))
  })
})
