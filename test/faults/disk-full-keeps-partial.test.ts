/**
 * Invariant: when the receiver's disk fills up mid-transfer, the transfer stops with a clear error on both sides
 * (`write-failed`, "the disk is full"), nothing appears under the final name, the verified part is kept in the hidden
 * partial file (in the download folder's `.ferry-partial` folder) and recorded (the receiver records the transfer `interrupted`), and once there is room again sending
 * the same file resumes from the verified blocks and completes byte-identical.
 *
 * The download folder is a 40 MiB tmpfs (needs root); the offered 30 MiB file passes the free-space check, then the
 * test fills the tmpfs while the offer is being decided, leaving about 10 MiB, so a write fails with ENOSPC mid-file.
 * A nearly full disk also takes writes only in part (write(2) returns a short count): such bytes are never counted as
 * written, so no hole can end up inside a file that verifies.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, stat, statfs, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PARTIAL_FOLDER } from '../../src-main/core/paths/index.ts'
import { BLOCK_BYTES } from '../../src-main/core/protocol/index.ts'
import { tempName } from '../../src-main/core/transfer/index.ts'
import type { TransferResult } from '../../src-main/core/transfer/index.ts'
import { IncomingFile } from '../../src-main/core/transfer/incoming-file.ts'
import { assertRoot, mountTmpfs, needsRoot, randomFile, rm, tempDir, unmount } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const TMPFS_BYTES = 40 * 1024 * 1024
const FILE_BYTES = 30 * 1024 * 1024
/** Room left on the tmpfs once the filler is written: the transfer runs out of space after about this much. */
const ROOM_BYTES = 10 * 1024 * 1024

describe('the receiver disk fills up mid-transfer', needsRoot('mount a small tmpfs'), () => {
  let root: string
  let downloadDir: string
  let filler: string
  let net: TestNetwork
  let rx: TestPeer
  let tx: TestPeer
  let source: string
  let firstError: { name: string, code: string, message: string }
  let transferId: string

  before(async () => {
    assertRoot('mount a small tmpfs')
    root = await tempDir('ferry-diskfull-')
    downloadDir = join(root, 'downloads')
    filler = join(downloadDir, 'filler')
    await mountTmpfs(downloadDir, TMPFS_BYTES)
    source = join(root, 'big.bin')
    await randomFile(source, FILE_BYTES)
    net = await TestNetwork.start(root)
    let filled = false
    rx = await net.peer('rx', {
      downloadDir,
      // Runs after the free-space check and before the accept: leave only ROOM_BYTES on the disk.
      decide: async () => {
        if (!filled) {
          filled = true
          const s = await statfs(downloadDir)
          await writeFile(filler, Buffer.alloc(s.bavail * s.bsize - ROOM_BYTES))
        }
        return { accept: true }
      }
    })
    tx = await net.peer('tx', { acceptIncoming: false })
    const addr = rx.addr
    assert.ok(addr != null)
    const err = await tx.transfers.send(addr, [source]).then(() => undefined, (e: unknown) => e as { name: string, code: string, message: string })
    assert.ok(err != null, 'the send failed')
    firstError = err
    const [record] = tx.store.transfers.list()
    assert.ok(record != null)
    transferId = record.id
  })

  after(async () => {
    await net?.stop()
    if (downloadDir != null) await unmount(downloadDir)
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('the sender gets a clear error saying the disk is full', () => {
    assert.equal(firstError.name, 'RemoteError')
    assert.equal(firstError.code, 'write-failed')
    assert.match(firstError.message, /disk is full/)
  })

  it('the receiver records the transfer interrupted, with the verified bytes', () => {
    const record = rx.store.transfers.get(transferId)
    assert.equal(record?.state, 'interrupted')
    assert.equal(record?.errorCode, 'write-failed')
    const [file] = rx.store.transfers.files(transferId)
    assert.ok(file != null)
    assert.ok(file.bytesDone > 0 && file.bytesDone <= ROOM_BYTES, `verified ${file.bytesDone} bytes before the disk filled up`)
    assert.equal(file.bytesDone % BLOCK_BYTES, 0)
    assert.equal(tx.store.transfers.get(transferId)?.state, 'failed')
  })

  it('nothing is under the final name and the partial file is kept', async () => {
    assert.deepEqual((await readdir(downloadDir)).sort(), [PARTIAL_FOLDER, 'filler'].sort())
    assert.deepEqual(await readdir(join(downloadDir, PARTIAL_FOLDER)), [tempName(transferId, 0)])
    const [file] = rx.store.transfers.files(transferId)
    assert.ok((await stat(join(downloadDir, PARTIAL_FOLDER, tempName(transferId, 0)))).size >= (file?.bytesDone ?? Infinity), 'the partial file holds every verified byte')
  })

  it('sending again while the disk is still full is refused with insufficient-space and keeps the partial file', async () => {
    const partial = join(downloadDir, PARTIAL_FOLDER, tempName(transferId, 0))
    const sizeBefore = (await stat(partial)).size
    const addr = rx.addr
    assert.ok(addr != null)
    const err = await tx.transfers.send(addr, [source]).then(() => undefined, (e: unknown) => e as { code?: string })
    assert.equal(err?.code, 'insufficient-space')
    assert.equal((await stat(partial)).size, sizeBefore, 'the partial file is kept, whole')
  })

  it('with room again, sending the same file resumes from the verified blocks and completes byte-identical', async () => {
    await unlink(filler)
    const resuming: number[] = []
    tx.transfers.on('resuming', r => resuming.push(r.skippedBytes))
    const addr = rx.addr
    assert.ok(addr != null)
    const result: TransferResult = await tx.transfers.send(addr, [source])
    assert.equal(result.transferId, transferId, 'the same transfer, resumed')
    assert.ok((result.skippedBytes ?? 0) > 0, 'verified bytes were not sent again')
    assert.deepEqual(resuming, [result.skippedBytes])
    assert.deepEqual(await readdir(downloadDir), ['big.bin'])
    assert.equal(await fileSha256(join(downloadDir, 'big.bin')), await fileSha256(source))
    for (const peer of [rx, tx]) assert.equal(peer.store.transfers.get(transferId)?.state, 'completed')
  })
})

describe('a write the disk takes only in part', needsRoot('mount a small tmpfs'), () => {
  let root: string
  let dir: string

  before(async () => {
    assertRoot('mount a small tmpfs')
    root = await tempDir('ferry-shortwrite-')
    dir = join(root, 'tiny')
    await mountTmpfs(dir, 2 * BLOCK_BYTES)
  })

  after(async () => {
    if (dir != null) await unmount(dir)
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('is completed or fails, never counted in part: once there is room again the file verifies with no hole', async () => {
    // Leave ~400 KB; 100 000-byte chunks are not page multiples, so the chunk that reaches the end is cut short.
    const chunk = 100_000
    const filler = join(dir, 'filler')
    const s = await statfs(dir)
    await writeFile(filler, Buffer.alloc(s.bavail * s.bsize - 400 * 1024))
    const source = randomBytes(BLOCK_BYTES)
    const tempPath = join(dir, tempName('00000000-0000-4000-8000-000000000000', 0))
    const { file } = await IncomingFile.open({ index: 0, relPath: 'f.bin', size: BLOCK_BYTES, dir, tempPath, offset: 0 })
    let failure: { code?: string, message?: string } | undefined
    while (file.position < BLOCK_BYTES && failure == null) {
      await file.write(source.subarray(file.position, Math.min(file.position + chunk, BLOCK_BYTES))).catch((err: unknown) => { failure = err as typeof failure })
    }
    assert.equal(failure?.code, 'write-failed')
    assert.match(failure?.message ?? '', /disk is full/)
    assert.equal(file.position % chunk, 0, `counted ${file.position} bytes: whole chunks only`)
    assert.ok((await stat(tempPath)).size >= file.position, 'every counted byte is in the file')
    // Another program frees space; the same file goes on from where it counted.
    await unlink(filler)
    while (file.position < BLOCK_BYTES) await file.write(source.subarray(file.position, Math.min(file.position + chunk, BLOCK_BYTES)))
    const sha256 = createHash('sha256').update(source).digest('hex')
    assert.equal(await file.verifyBlock(0, sha256), true)
    const placed = await file.finish(sha256)
    assert.ok((await readFile(placed.localPath)).equals(source), 'the placed file is the source, byte for byte')
  })
})
