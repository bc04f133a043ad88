/**
 * The receiver's temp files (`IncomingFile` on `OpenFile`): a small file's temp file is created with a synchronous
 * call, exclusively, and a descriptor is released exactly once; a temp file that also has another name (a placed file:
 * the process stopped between `link` and `unlink`) is never written into, neither to resume it nor to start it over.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { link, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { IncomingFile } from '../../src-main/core/transfer/incoming-file.ts'
import { OpenFile } from '../../src-main/core/transfer/open-file.ts'

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('received temp files', () => {
  let dir: string
  before(async () => { dir = await mkdtemp(join(os.tmpdir(), 'ferry-temp-files-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('closing a file twice never closes the descriptor the system then gave to another file', async () => {
    const first = OpenFile.openSync(join(dir, 'first'), 'wx+', 0o644)
    const firstFd = first.fd
    await first.close()
    const second = await OpenFile.open(join(dir, 'second'), 'wx+', 0o644)
    assert.equal(second.fd, firstFd, 'the system reuses the lowest free descriptor (the case this guards against)')
    await first.close()
    assert.throws(() => first.fd, /closed/)
    const bytes = randomBytes(1000)
    assert.equal(await second.write(bytes, 0, bytes.byteLength, 0), bytes.byteLength)
    await second.datasync()
    await second.close()
    assert.deepEqual(await readFile(join(dir, 'second')), bytes)
  })

  it('a small file is received into a new temp file and placed under its final name with its bytes', async () => {
    const bytes = randomBytes(4096)
    const tempPath = join(dir, '.small.part')
    const { file, prefixMatches } = await IncomingFile.open({ index: 0, relPath: 'small.bin', size: bytes.byteLength, dir, tempPath, offset: 0 })
    assert.equal(prefixMatches, true)
    await file.write(bytes)
    assert.equal(await file.verifyBlock(0, sha256(bytes)), true)
    const { localPath } = await file.finish(sha256(bytes))
    assert.equal(localPath, join(dir, 'small.bin'))
    assert.deepEqual(await readFile(localPath), bytes)
    await assert.rejects(readFile(tempPath), { code: 'ENOENT' })
  })

  it('a leftover temp file of a small file is started over, not appended to or kept in part', async () => {
    const tempPath = join(dir, '.leftover.part')
    await writeFile(tempPath, randomBytes(8000))
    const bytes = randomBytes(3000)
    const { file } = await IncomingFile.open({ index: 0, relPath: 'leftover.bin', size: bytes.byteLength, dir, tempPath, offset: 0 })
    await file.write(bytes)
    assert.equal(await file.verifyBlock(0, sha256(bytes)), true)
    const { localPath } = await file.finish(sha256(bytes))
    assert.deepEqual(await readFile(localPath), bytes)
  })

  it('a small file whose folder is gone fails with write-failed naming the offered path, not the local one', async () => {
    const gone = join(dir, 'gone')
    await assert.rejects(
      IncomingFile.open({ index: 0, relPath: 'gone/a.bin', size: 10, dir: gone, tempPath: join(gone, '.a.part'), offset: 0 }),
      (err: Error & { code?: string }) => err.name === 'TransferError' && err.code === 'write-failed' && err.message.includes('gone/a.bin') && !err.message.includes(dir)
    )
  })

  for (const offset of [0, 1024 * 1024]) {
    it(`a temp file that is also a placed file is not written into (${offset === 0 ? 'starting over' : 'resuming'}): the placed file keeps its bytes`, async () => {
      const placed = join(dir, `placed-${offset}.bin`)
      const tempPath = join(dir, `.placed-${offset}.part`)
      const before = randomBytes(2 * 1024 * 1024)
      await writeFile(placed, before)
      await link(placed, tempPath)
      const { file, prefixMatches } = await IncomingFile.open({ index: 0, relPath: `again-${offset}.bin`, size: 3000, dir, tempPath, offset, prefixSha256: sha256(before.subarray(0, offset)) })
      assert.equal(prefixMatches, offset === 0, 'a resume of it starts the file over')
      assert.equal(file.position, 0)
      const bytes = randomBytes(3000)
      await file.write(bytes)
      assert.equal(await file.verifyBlock(0, sha256(bytes)), true)
      const { localPath } = await file.finish(sha256(bytes))
      assert.deepEqual(await readFile(localPath), bytes)
      assert.deepEqual(await readFile(placed), before, 'the placed file is untouched')
      assert.equal((await stat(placed)).nlink, 1)
    })
  }
})
