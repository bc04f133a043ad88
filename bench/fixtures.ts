/**
 * The bench's input files: one big random file (its SHA-256 computed while writing, so checking the received copy
 * needs no second read of the source) and a folder of many small random files.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto'
import { mkdir, open, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'

/** Block written per call while making the big file, bytes. */
const BLOCK_BYTES = 4 * 1024 * 1024

/** Writes `bytes` random bytes to `path` and returns their SHA-256 (hex). */
export async function bigFile (path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256')
  const fh = await open(path, 'wx')
  try {
    const block = Buffer.allocUnsafe(BLOCK_BYTES)
    for (let done = 0; done < bytes; done += BLOCK_BYTES) {
      const n = Math.min(BLOCK_BYTES, bytes - done)
      randomFillSync(block, 0, n)
      hash.update(block.subarray(0, n))
      await fh.write(block, 0, n)
    }
  } finally {
    await fh.close()
  }
  return hash.digest('hex')
}

/** Files per subfolder of the small-files tree (a real photo or source folder is not flat). */
const FILES_PER_FOLDER = 500

/**
 * Writes `count` random files of `bytes` bytes each under `root`, in subfolders of 500, and returns each file's
 * offer path (`<root's name>/<subfolder>/<file>`, as `ferry send root` offers it) → SHA-256 (hex).
 */
export async function smallFiles (root: string, count: number, bytes: number): Promise<Map<string, string>> {
  const hashes = new Map<string, string>()
  for (let i = 0; i < count; i += FILES_PER_FOLDER) {
    const sub = `d${String(i / FILES_PER_FOLDER).padStart(3, '0')}`
    await mkdir(join(root, sub), { recursive: true })
    const n = Math.min(FILES_PER_FOLDER, count - i)
    await Promise.all(Array.from({ length: n }, async (_, j) => {
      const name = `f${String(i + j).padStart(5, '0')}.bin`
      const data = randomBytes(bytes)
      hashes.set(`${basename(root)}/${sub}/${name}`, createHash('sha256').update(data).digest('hex'))
      await writeFile(join(root, sub, name), data)
    }))
  }
  return hashes
}
