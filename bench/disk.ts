/**
 * The disk under the bench's temp folder, measured the way Ferry's receiver uses it, to read the Ferry rows against:
 * how many small files it can create per second at all, and how fast it takes a big file.
 */
import { randomFillSync } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { join } from 'node:path'

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
