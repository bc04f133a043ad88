/**
 * Partial (temp) files of received transfers after the transfer: which ones stay for a resume, which are removed, and
 * the folders a transfer that did not complete leaves behind. Temp files live in `<download folder>/.ferry-partial/`
 * (`paths.preparePartialFolder`), named `<transferId>-<index>.part` (`resume.ts` `tempName`).
 *
 * The rule (docs/PROTOCOL.md §7, "What stays on disk"; docs/LIMITS.md):
 * - a transfer recorded *interrupted* keeps its temp files for a resume; any other end removes all of its temp files
 *   ({@link removeTempFilesOf}) and the empty folders it created ({@link removeCreatedFolders});
 * - at service start and every {@link PARTIAL_SWEEP_INTERVAL_MS}, {@link sweepPartialFiles} removes every temp file
 *   that no resume can use — its transfer is unknown, not a resumable receive into that folder, the file is already
 *   verified — and every one older than {@link PARTIAL_MAX_AGE_MS}, except those of transfers running now and any
 *   written within {@link PARTIAL_GRACE_MS};
 * - the `.ferry-partial` folder is removed once empty and no receive into that download folder runs in this process.
 */
import { rmdirSync } from 'node:fs'
import { lstat, readdir, unlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { partialFolderOf } from '../paths/index.ts'
import type { Store } from '../store/index.ts'
import { canResume } from './lifecycle.ts'

/**
 * A partial file not written for this long is removed even if its transfer could still resume, in ms: 7 days. A
 * sender that comes back later starts that file over. Ferry's own bound: long enough for a laptop closed over a
 * weekend and holiday, short enough that abandoned partial files do not hold disk space for good.
 */
export const PARTIAL_MAX_AGE_MS = 7 * 24 * 60 * 60_000

/**
 * A partial file written this recently is never removed by a sweep, in ms: 1 hour. Another Ferry process with its own
 * history may be receiving into the same download folder, and its running transfers are unknown here; a running
 * transfer writes its temp file at least every stall timeout (30 s) or ends.
 */
export const PARTIAL_GRACE_MS = 60 * 60_000

/** How often a running service sweeps expired partial files, in ms: hourly. */
export const PARTIAL_SWEEP_INTERVAL_MS = 60 * 60_000

const TEMP_NAME = /^([0-9a-f-]{36})-(\d{1,9})\.part$/u

/** Receives running in this process per download folder (resolved path): their folders are not removed under them. */
const receivesInto = new Map<string, number>()
/** Folders created by receives that ended while others ran into the same download folder: removed (if empty) after. */
const deferredFolders = new Map<string, string[]>()

/**
 * Registers an accepted receive into `root` while it runs; returns the function that ends it (call once; later calls
 * do nothing). While any receive into `root` runs, neither {@link removeCreatedFolders} nor
 * {@link removePartialFolderIfEmpty} removes a folder there, so one transfer's clean-up never removes a folder another
 * is about to use; when the last one ends, the folders whose removal was put off and `root`'s folder of partial files
 * are removed if they are empty.
 */
export function receivingInto (root: string): () => void {
  const key = resolve(root)
  receivesInto.set(key, (receivesInto.get(key) ?? 0) + 1)
  let ended = false
  return () => {
    if (ended) return
    ended = true
    const left = (receivesInto.get(key) ?? 1) - 1
    if (left > 0) {
      receivesInto.set(key, left)
      return
    }
    receivesInto.delete(key)
    const deferred = deferredFolders.get(key) ?? []
    deferredFolders.delete(key)
    // Innermost first: a longer path is never the parent of a shorter one.
    for (const dir of deferred.sort((a, b) => b.length - a.length)) tryRmdir(dir)
    removePartialFolderIfEmpty(key)
  }
}

/**
 * Removes the folder `dir` if it is empty; returns false when it is still there. Synchronous on purpose: between the
 * check that no other receive runs and the removal, no other receive of this process can start using the folder.
 */
function tryRmdir (dir: string): boolean {
  try {
    rmdirSync(dir)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT'
  }
}

/** True while another receive than the caller's (which counts once) runs into `root`. */
function othersReceivingInto (root: string, own: number): boolean {
  return (receivesInto.get(resolve(root)) ?? 0) > own
}

/** Removes every temp file of `transferId` in `root`'s folder of partial files; never throws. */
export async function removeTempFilesOf (root: string, transferId: string): Promise<void> {
  const dir = partialFolderOf(root)
  const names = await readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    if (name.startsWith(`${transferId}-`)) await unlink(join(dir, name)).catch(() => {})
  }
}

/**
 * Removes the folders a transfer created (`created`, outermost first, as `paths.prepareDestination` lists them),
 * innermost first, each only if empty; stops at the first that is not. While another receive into `root` runs in
 * this process (besides the caller's own, `own` = 1 when it is registered), that is put off until the last one ends
 * (see {@link receivingInto}). Never throws.
 */
export function removeCreatedFolders (root: string, created: readonly string[], own = 1): void {
  if (created.length === 0) return
  if (othersReceivingInto(root, own)) {
    const key = resolve(root)
    deferredFolders.set(key, [...(deferredFolders.get(key) ?? []), ...created])
    return
  }
  for (const dir of [...created].reverse()) if (!tryRmdir(dir)) return
}

/**
 * Removes `root`'s folder of partial files if it is empty and no receive into `root` runs in this process other than
 * `own` of them (0 or 1). Never throws.
 */
export function removePartialFolderIfEmpty (root: string, own = 0): void {
  if (!othersReceivingInto(root, own)) tryRmdir(partialFolderOf(root))
}

/** Why a temp file stays: a transfer that may still resume it, recent enough. */
function keeps (store: Store, root: string, name: string, mtimeMs: number, now: number, running: (id: string) => boolean): boolean {
  if (now - mtimeMs < PARTIAL_GRACE_MS) return true
  const match = TEMP_NAME.exec(name)
  if (match == null) return false
  const id = match[1] as string
  if (running(id)) return true
  if (now - mtimeMs > PARTIAL_MAX_AGE_MS) return false
  const record = store.transfers.get(id)
  if (record?.direction !== 'receive' || !canResume(record) || resolve(record.destDir ?? '') !== resolve(root)) return false
  const file = store.transfers.files(id)[Number(match[2])]
  return file != null && file.state !== 'verified'
}

/**
 * Removes the temp files in the folders of partial files of `roots` that no resume can use or that expired (see the
 * module's rule), then each folder if it is empty. `running(transferId)` is true for transfers running now: theirs
 * stay. Returns how many files it removed. Never throws (a folder or file it cannot read or remove is left).
 *
 * @param now the current time, ms since the epoch (tests pass a later one)
 */
export async function sweepPartialFiles (store: Store, roots: Iterable<string>, running: (transferId: string) => boolean, now = Date.now()): Promise<number> {
  let removed = 0
  for (const root of new Set([...roots].map(r => resolve(r)))) {
    const dir = partialFolderOf(root)
    const names = await readdir(dir).catch(() => [] as string[])
    for (const name of names) {
      const path = join(dir, name)
      const st = await lstat(path).catch(() => undefined)
      if (st == null) continue
      if (st.isFile() && keeps(store, root, name, st.mtimeMs, now, running)) continue
      if (st.isDirectory()) continue
      await unlink(path).then(() => { removed++ }, () => {})
    }
    removePartialFolderIfEmpty(root)
  }
  return removed
}

/** The download folders whose partial files {@link sweepPartialFiles} looks at: `current` and every receive's. */
export function downloadRootsOf (store: Store, current: string): string[] {
  const roots = new Set<string>([resolve(current)])
  for (const t of store.transfers.list({ direction: 'receive' })) if (t.destDir != null) roots.add(resolve(t.destDir))
  return [...roots]
}
