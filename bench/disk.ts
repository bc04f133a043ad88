/**
 * The disk under the bench's temp folder, measured the way Ferry's receiver uses it, to read the Ferry rows against:
 * how many small files it can create per second at all, and how fast it takes a big file.
 */
import { createHash, randomFillSync } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { link, mkdtemp, open, rm, unlink } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { PLACEMENT_BATCH_FILES } from '../src-main/core/transfer/constants.ts'

/** Disk figures of one run. */
export interface DiskResult {
  /** New 4 KiB files created, written and closed per second, one after the other (synchronous calls). */
  createFilesPerSec: number
  /** Sequential write of a new file in 4 MiB writes, MiB/s. */
  writeMiBps: number
  writeBytes: number
}

const MiB = 1024 * 1024

/** Measures the disk under `tmp` with `files` small files and a `bytes`-byte file; removes everything after. */
export async function measureDisk (tmp: string, files: number, bytes: number): Promise<DiskResult> {
  const dir = await mkdtemp(join(tmp, 'ferry-bench-disk-'))
  try {
    const small = randomFillSync(Buffer.alloc(4096))
    let started = performance.now()
    for (let i = 0; i < files; i++) {
      const fd = openSync(join(dir, `f${i}`), 'wx', 0o644)
      writeSync(fd, small)
      closeSync(fd)
    }
    const createFilesPerSec = files / ((performance.now() - started) / 1000)
    const block = randomFillSync(Buffer.alloc(4 * MiB))
    const fh = await open(join(dir, 'big'), 'wx')
    started = performance.now()
    try {
      for (let done = 0; done < bytes; done += block.byteLength) await fh.write(block, 0, Math.min(block.byteLength, bytes - done))
      await fh.datasync()
    } finally {
      await fh.close()
    }
    return { createFilesPerSec, writeMiBps: bytes / MiB / ((performance.now() - started) / 1000), writeBytes: bytes }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * The receiver's steps for `files` new files of `bytes` bytes each, in one folder, with no network and no SQLite: the
 * ceiling of Ferry's many-small-files row on this disk. Each file is created exclusively under a temp name (`wx+`),
 * written and hashed (SHA-256); then, as `Placements` does in the background while the next files arrive, a batch of
 * `PLACEMENT_BATCH_FILES` (the receiver's own constant) is `datasync`ed together, closed, linked under its final name
 * and its temp name unlinked (docs/PROTOCOL.md §7, placeFile in src-main/core/paths). Returns files per second.
 */
export async function measureReceiverSteps (tmp: string, files: number, bytes: number): Promise<number> {
  const dir = await mkdtemp(join(tmp, 'ferry-bench-steps-'))
  try {
    const data = randomFillSync(Buffer.alloc(bytes))
    const place = async (batch: Array<{ handle: FileHandle, i: number }>): Promise<void> => {
      await Promise.all(batch.map(async ({ handle }) => { await handle.datasync(); await handle.close() }))
      for (const { i } of batch) {
        await link(join(dir, `.f${i}.part`), join(dir, `f${i}`))
        await unlink(join(dir, `.f${i}.part`))
      }
    }
    const started = performance.now()
    let batch: Array<{ handle: FileHandle, i: number }> = []
    let placing: Promise<void> = Promise.resolve()
    for (let i = 0; i < files; i++) {
      const handle = await open(join(dir, `.f${i}.part`), 'wx+', 0o644)
      writeSync(handle.fd, data, 0, data.byteLength, 0)
      createHash('sha256').update(data).digest()
      batch.push({ handle, i })
      if (batch.length === PLACEMENT_BATCH_FILES || i === files - 1) {
        await placing
        placing = place(batch)
        batch = []
      }
    }
    await placing
    return files / ((performance.now() - started) / 1000)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
