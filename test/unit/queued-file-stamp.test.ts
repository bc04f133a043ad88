/**
 * Invariant: a file stamped when it was queued (size, modification time, SHA-256 of its first block) is found
 * unchanged only while all three are the same: bytes changed inside the first block are found even with the size and
 * the modification time put back, a longer or shorter file is found, a deleted file is `file-gone`. Real files.
 */
import assert from 'node:assert/strict'
import { open, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sourceChange, stampSource } from '../../src-main/core/transfer/index.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'

describe('a queued file\'s stamp', () => {
  let dir: string
  before(async () => { dir = await tempDir('ferry-stamp-') })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('unchanged: no change; a byte changed in the first block with size and mtime put back: file-changed', async () => {
    const f = { relPath: 'a.bin', absPath: join(dir, 'a.bin') }
    await randomFile(f.absPath, 3 * 1024 * 1024)
    // A whole second, so that putting it back later is exact (utimes takes seconds).
    await utimes(f.absPath, 1_700_000_000, 1_700_000_000)
    const stamp = await stampSource(f)
    assert.equal(stamp.size, 3 * 1024 * 1024)
    assert.match(stamp.headSha256, /^[0-9a-f]{64}$/)
    assert.equal(await sourceChange(f, stamp), undefined)
    const fh = await open(f.absPath, 'r+')
    await fh.write(Buffer.from([0x42, 0x42, 0x42]), 0, 3, 1000)
    await fh.close()
    await utimes(f.absPath, 1_700_000_000, 1_700_000_000)
    const now = await stat(f.absPath)
    assert.deepEqual([now.size, now.mtimeMs], [stamp.size, stamp.mtimeMs], 'size and mtime as stamped')
    assert.equal(await sourceChange(f, stamp), 'file-changed')
  })

  it('shorter, longer (a small file: its whole content is the first block), or gone', async () => {
    const f = { relPath: 'b.txt', absPath: join(dir, 'b.txt') }
    await writeFile(f.absPath, 'hello\n')
    const stamp = await stampSource(f)
    await writeFile(f.absPath, 'hello, world\n')
    assert.equal(await sourceChange(f, stamp), 'file-changed')
    await truncate(f.absPath, 2)
    assert.equal(await sourceChange(f, stamp), 'file-changed')
    await unlink(f.absPath)
    assert.equal(await sourceChange(f, stamp), 'file-gone')
  })
})
