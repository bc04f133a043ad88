/**
 * Experiment (docs/PERFORMANCE.md, "Many small files"): the file-system work Ferry's receiver does per received file,
 * without any network, to see what bounds the small-files rate. Each variant writes `--files` files of 4 KiB into a
 * fresh folder (two levels deep, 500 files per folder, as the bench's small-files tree) and prints files/s.
 *
 *   node_modules/.bin/node bench/experiments/small-files-fs.ts [files] [dir]
 *
 * Variants:
 * - `current`: as incoming-file.ts and paths/resolve.ts did it before commit 4d7729c, one file after the other:
 *   stat the download folder, lstat every parent folder, open `wx+`, truncate to 0, write, datasync, close, link to
 *   the final name, unlink the temp name
 * - `no-truncate`: without the truncate of a file just created empty
 * - `cached-dirs`: also checking each folder once per transfer instead of once per file
 * - `pipelined-16`: cached-dirs, with the finish (datasync, close, link, unlink) of up to 16 files in flight while
 *   the next files are written
 * - `pipelined-64`: the same with up to 64 in flight
 * - `no-datasync`: cached-dirs without datasync (to show its share; not a proposal on its own)
 * - `sync-calls`: cached-dirs with synchronous fs calls (no thread-pool round trip; blocks the event loop)
 * - `sync-no-datasync`: the same without datasync
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fdatasyncSync, linkSync, lstatSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { link, lstat, mkdir, mkdtemp, open, rm, stat, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const files = Number(process.argv[2] ?? 3000)
const base = process.argv[3] ?? tmpdir()
const data = randomBytes(4096)

interface Variant { truncate: boolean, cacheDirs: boolean, datasync: boolean, inFlight: number, sync?: boolean }

/** The same chain with synchronous calls: no thread-pool round trip per call, but the event loop blocks meanwhile. */
function runSync (root: string, v: Variant): void {
  const prepared = new Set<string>()
  for (let i = 0; i < files; i++) {
    const sub = ['many', `d${String(Math.floor(i / 500)).padStart(3, '0')}`]
    const dir = join(root, ...sub)
    if (!v.cacheDirs || !prepared.has(dir)) {
      statSync(root)
      let d = root
      for (const s of sub) {
        d = join(d, s)
        try { lstatSync(d) } catch { mkdirSync(d) }
      }
      prepared.add(dir)
    }
    const temp = join(dir, `.ferry-x-${i}.part`)
    const fd = openSync(temp, 'wx+', 0o644)
    writeSync(fd, data, 0, data.byteLength, 0)
    if (v.datasync) fdatasyncSync(fd)
    closeSync(fd)
    linkSync(temp, join(dir, `f${i}.bin`))
    unlinkSync(temp)
  }
}

async function run (v: Variant): Promise<number> {
  const root = await mkdtemp(join(base, 'ferry-fs-exp-'))
  if (v.sync === true) {
    const t = performance.now()
    runSync(root, v)
    const r = files / ((performance.now() - t) / 1000)
    await rm(root, { recursive: true, force: true })
    return r
  }
  const prepared = new Set<string>()
  const pending = new Set<Promise<void>>()
  const started = performance.now()
  for (let i = 0; i < files; i++) {
    const sub = ['many', `d${String(Math.floor(i / 500)).padStart(3, '0')}`]
    const dir = join(root, ...sub)
    if (!v.cacheDirs || !prepared.has(dir)) {
      await stat(root)
      let d = root
      for (const s of sub) {
        d = join(d, s)
        try { await lstat(d) } catch { await mkdir(d).catch(() => {}) }
      }
      prepared.add(dir)
    }
    const temp = join(dir, `.ferry-x-${i}.part`)
    const fh = await open(temp, 'wx+', 0o644)
    if (v.truncate) await fh.truncate(0)
    await fh.write(data, 0, data.byteLength, 0)
    const finish = async (): Promise<void> => {
      if (v.datasync) await fh.datasync()
      await fh.close()
      await link(temp, join(dir, `f${i}.bin`))
      await unlink(temp)
    }
    if (v.inFlight <= 1) { await finish(); continue }
    const p = finish().finally(() => pending.delete(p))
    pending.add(p)
    if (pending.size >= v.inFlight) await Promise.race(pending)
  }
  await Promise.all(pending)
  const rate = files / ((performance.now() - started) / 1000)
  await rm(root, { recursive: true, force: true })
  return rate
}

const variants: Record<string, Variant> = {
  current: { truncate: true, cacheDirs: false, datasync: true, inFlight: 1 },
  'no-truncate': { truncate: false, cacheDirs: false, datasync: true, inFlight: 1 },
  'cached-dirs': { truncate: false, cacheDirs: true, datasync: true, inFlight: 1 },
  'pipelined-16': { truncate: false, cacheDirs: true, datasync: true, inFlight: 16 },
  'pipelined-64': { truncate: false, cacheDirs: true, datasync: true, inFlight: 64 },
  'no-datasync': { truncate: false, cacheDirs: true, datasync: false, inFlight: 1 },
  'sync-calls': { truncate: false, cacheDirs: true, datasync: true, inFlight: 1, sync: true },
  'sync-no-datasync': { truncate: false, cacheDirs: true, datasync: false, inFlight: 1, sync: true }
}
for (const [name, v] of Object.entries(variants)) {
  console.log(`${name.padEnd(14)} ${Math.round(await run(v))} files/s`)
}
