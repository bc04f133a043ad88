/**
 * Test fixtures on disk: temp folders, a nested tree of real files, a byte-exact tree comparison, and (root only) small
 * tmpfs mounts for the disk-full and read-only fault tests.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile, open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** A fresh temp folder; remove it with `rm(dir, { recursive: true, force: true })`. */
export async function tempDir (prefix = 'ferry-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

/** Writes `bytes` random bytes to `path` in 1 MiB blocks. */
export async function randomFile (path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'wx')
  try {
    for (let done = 0; done < bytes; done += 1048576) await fh.write(randomBytes(Math.min(1048576, bytes - done)))
  } finally {
    await fh.close()
  }
}

/**
 * The tree the transfer tests send: nested subfolders, an empty file, a non-ASCII name and a random file of
 * `bigBytes` bytes.
 */
export async function makeTree (root: string, bigBytes: number): Promise<void> {
  await mkdir(join(root, 'sub', 'deeper', 'deepest'), { recursive: true })
  await randomFile(join(root, 'big.bin'), bigBytes)
  await writeFile(join(root, 'empty.txt'), '')
  await writeFile(join(root, 'sub', 'Grüße — 日本語 ✓.txt'), 'non-ASCII name\n')
  await writeFile(join(root, 'sub', 'deeper', 'notes.md'), '# notes\n')
  await writeFile(join(root, 'sub', 'deeper', 'deepest', 'data.json'), JSON.stringify({ n: 42 }))
}

/** Every file under `root` as relative path → SHA-256 hex. */
export async function treeHashes (root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else out.set(relative(root, p), createHash('sha256').update(await readFile(p)).digest('hex'))
    }
  }
  await walk(root)
  return out
}

/** Total bytes of the files under `root`. */
export async function treeBytes (root: string): Promise<number> {
  let total = 0
  for (const rel of await readdir(root, { recursive: true })) {
    const st = await stat(join(root, rel))
    if (st.isFile()) total += st.size
  }
  return total
}

/** Every entry (files and folders, hidden ones too) under `root`, as sorted relative paths. */
export async function listAll (root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).sort()
}

export { rm }

/**
 * Options for a `describe` that needs root (to mount file systems): skipped, with the reason, when not root and `CI`
 * is unset; in CI (`CI=true`) it runs, and {@link assertRoot} fails it — a CI run never skips these silently.
 */
export function needsRoot (why: string): { skip?: string } {
  const root = process.getuid?.() === 0
  return root || process.env.CI === 'true' ? {} : { skip: `needs root to ${why} (run as root, or with CI=true to make this a failure)` }
}

/** Throws unless the process runs as root (see {@link needsRoot}). */
export function assertRoot (why: string): void {
  if (process.getuid?.() !== 0) throw new Error(`this test needs root to ${why}; in CI (CI=true) it may not be skipped`)
}

/** Mounts a tmpfs of `bytes` bytes on `dir` (created if missing). Needs root; undo with {@link unmount}. */
export async function mountTmpfs (dir: string, bytes: number): Promise<void> {
  await mkdir(dir, { recursive: true })
  await execFileAsync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir])
}

/** Remounts the file system on `dir` read-only. Needs root. */
export async function remountReadOnly (dir: string): Promise<void> {
  await execFileAsync('mount', ['-o', 'remount,ro', dir])
}

/** Unmounts `dir` if something is mounted there (lazily, so a leftover open file cannot keep it busy). */
export async function unmount (dir: string): Promise<void> {
  await execFileAsync('umount', ['-l', dir]).catch(() => {})
}
