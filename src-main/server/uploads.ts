/**
 * The upload store: files a browser drops are streamed here, one request per file, before they are sent.
 *
 * Layout: `<dataDir>/uploads/<uploadId>/<relative path>` holds the finished files of an upload; bytes in flight are
 * written to `<dataDir>/uploads/.partial/<uploadId>-<random>` (same file system) and moved into place only once
 * exactly `size` bytes arrived. `<dataDir>/uploads/<uploadId>.sent` marks an upload handed to a transfer: it is the
 * app service's from then on (it removes the folder through the `cleanup` it was given, and may resume the send after
 * a restart), so the startup sweep keeps it — unless its marker is older than `keepSentMs` (7 days), a backstop for a
 * transfer no one follows any more. Everything else — open uploads, partial files — is removed at start and
 * when an open upload sees no request for `idleMs`.
 *
 * Every relative path passes the core path-safety module (`validateRelativePath`, then `prepareDestination`, which
 * creates folders one `lstat`-checked segment at a time) before anything touches disk; collisions within an upload
 * are refused as the path-safety module's `validateFileList` does. This is where an upload's files enter: the app
 * service's `sendPrepared` checks the handed-over list as a whole once more at its own boundary (`checkLocalFiles`),
 * and nothing checks it again on the way to the sender.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { link, mkdir, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { LocalFile } from '../core/transfer/index.ts'
import { collisionKey, prepareDestination, UnsafePathError, validateRelativePath } from '../core/paths/index.ts'
import { errorMessage, failureReasonOf } from '../core/errors/index.ts'
import { t } from '../text/index.ts'
import { UPLOAD_LIMITS, UPLOADS_FOLDER } from './constants.ts'
import type { UploadLimits } from './constants.ts'
import { UploadError } from './errors.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u
const PARTIAL = '.partial'

interface Upload {
  id: string
  dir: string
  files: LocalFile[]
  /** Collision keys of files and of the folders they imply (as `validateFileList` compares them). */
  fileKeys: Set<string>
  folderKeys: Set<string>
  /** Requests writing now. */
  writing: number
  state: 'open' | 'sending' | 'sent'
  lastActivity: number
}

/** What {@link UploadStore.handOver} gives the sender: the files and a cleanup that removes the upload. */
export interface HandedOver {
  files: LocalFile[]
  /** Removes the upload folder and its marker (idempotent, never throws). */
  cleanup: () => Promise<void>
  /** Records that the transfer took the upload (writes the `.sent` marker). */
  commit: (transferId: string) => Promise<void>
  /** The transfer was not started: the upload is open again (a retry may send it). */
  release: () => void
}

/** Uploads under `<dataDir>/uploads`. Create with {@link UploadStore.open}; stop the sweep timer with `close()`. */
export class UploadStore {
  readonly root: string
  private readonly limits: UploadLimits
  private readonly uploads = new Map<string, Upload>()
  private readonly timer: NodeJS.Timeout
  private readonly closing = new AbortController()

  private constructor (root: string, limits: UploadLimits) {
    this.root = root
    this.limits = limits
    this.timer = setInterval(() => { void this.sweep() }, limits.sweepIntervalMs)
    this.timer.unref()
  }

  /**
   * Opens the store under `<dataDir>/uploads`, removing every upload not handed to a transfer, every upload handed
   * over more than `keepSentMs` ago, and every partial file left by an earlier run.
   */
  static async open (dataDir: string, overrides: Partial<UploadLimits> = {}, signal?: AbortSignal): Promise<UploadStore> {
    const limits = { ...UPLOAD_LIMITS, ...overrides }
    const root = join(dataDir, UPLOADS_FOLDER)
    await mkdir(root, { recursive: true, mode: 0o700 })
    await rm(join(root, PARTIAL), { recursive: true, force: true })
    const names = new Set(await readdir(root))
    for (const name of names) {
      signal?.throwIfAborted()
      if (name.endsWith('.sent')) {
        const marker = await stat(join(root, name)).catch(() => undefined)
        const stale = marker == null || Date.now() - marker.mtimeMs > limits.keepSentMs
        if (!names.has(name.slice(0, -5))) await rm(join(root, name), { force: true })
        else if (stale) await Promise.all([rm(join(root, name), { force: true }), rm(join(root, name.slice(0, -5)), { recursive: true, force: true })])
      } else if (!names.has(`${name}.sent`)) {
        await rm(join(root, name), { recursive: true, force: true })
      }
    }
    await mkdir(join(root, PARTIAL), { mode: 0o700 })
    return new UploadStore(root, limits)
  }

  /**
   * Creates an empty upload and returns its ID.
   *
   * @throws {UploadError} 429 `too-many-uploads` when `maxOpenUploads` are open
   */
  async create (): Promise<string> {
    const open = [...this.uploads.values()].filter(u => u.state !== 'sent').length
    if (open >= this.limits.maxOpenUploads) throw new UploadError(429, 'too-many-uploads', t('server.upload.tooMany', { max: this.limits.maxOpenUploads }))
    const id = randomUUID()
    const dir = join(this.root, id)
    await mkdir(dir, { mode: 0o700 })
    this.uploads.set(id, { id, dir, files: [], fileKeys: new Set(), folderKeys: new Set(), writing: 0, state: 'open', lastActivity: Date.now() })
    return id
  }

  private get (id: string): Upload {
    const upload = UUID.test(id) ? this.uploads.get(id) : undefined
    if (upload == null) throw new UploadError(404, 'upload-not-found', t('server.upload.notFound'))
    return upload
  }

  /** Reserves `relPath` in `upload`, refusing what `validateFileList` would refuse. Returns the keys to release. */
  private reserve (upload: Upload, relPath: string): { fileKey: string, newFolders: string[] } {
    if (Buffer.byteLength(relPath, 'utf8') > this.limits.maxPathBytes) {
      throw new UploadError(400, 'path-too-long', t('server.upload.pathTooLong', { max: this.limits.maxPathBytes }))
    }
    const segments = validateRelativePath(relPath)
    if (upload.files.length + upload.writing >= this.limits.maxFiles) {
      throw new UploadError(413, 'too-many-files', t('server.upload.tooManyFiles', { max: this.limits.maxFiles }))
    }
    const keys = segments.map(collisionKey)
    const newFolders: string[] = []
    for (let i = 1; i < keys.length; i++) {
      const folder = keys.slice(0, i).join('/')
      if (upload.fileKeys.has(folder)) throw new UnsafePathError(relPath, 'file-folder-collision', 'it needs a folder where a file was uploaded')
      if (!upload.folderKeys.has(folder)) newFolders.push(folder)
    }
    const fileKey = keys.join('/')
    if (upload.fileKeys.has(fileKey)) throw new UploadError(409, 'path-taken', t('server.upload.pathTaken'))
    if (upload.folderKeys.has(fileKey)) throw new UnsafePathError(relPath, 'file-folder-collision', 'it is uploaded as a file but is already a folder')
    upload.fileKeys.add(fileKey)
    for (const f of newFolders) upload.folderKeys.add(f)
    return { fileKey, newFolders }
  }

  /**
   * Streams one file of upload `id` to `<upload>/<relPath>`: validated first, written to a partial file, checked
   * to be exactly `size` bytes, then linked into place (never overwriting).
   *
   * @param size the file's size, bytes; the body must be exactly this long
   * @throws {UnsafePathError} `unsafe-path` for a refused path (nothing is written)
   * @throws {UploadError} `upload-not-found`, `upload-closed` (already sent), `too-many-files`, `path-too-long`,
   *   `path-taken`, `invalid-size`, `size-mismatch`, `disk-full` (a full disk or quota: the partial file is removed),
   *   `write-failed`
   */
  async putFile (id: string, relPath: string, size: number, body: Readable, signal: AbortSignal): Promise<LocalFile> {
    const upload = this.get(id)
    if (upload.state !== 'open') throw new UploadError(409, 'upload-closed', t('server.upload.alreadySent'))
    if (!Number.isSafeInteger(size) || size < 0) throw new UploadError(400, 'invalid-size', 'size must be a whole number of bytes')
    const reserved = this.reserve(upload, relPath)
    upload.writing++
    upload.lastActivity = Date.now()
    const partial = join(this.root, PARTIAL, `${id}-${randomBytes(8).toString('hex')}`)
    let placed = false
    try {
      let received = 0
      const counter = new Transform({
        transform (chunk: Buffer, _enc, done) {
          received += chunk.byteLength
          upload.lastActivity = Date.now()
          if (received > size) done(new UploadError(400, 'size-mismatch', t('server.upload.bodyTooLong', { size })))
          else done(null, chunk)
        }
      })
      await pipeline(body, counter, createWriteStream(partial, { flags: 'wx', mode: 0o600 }), { signal: AbortSignal.any([signal, this.closing.signal]) })
      if (received !== size) throw new UploadError(400, 'size-mismatch', t('server.upload.sizeDiffers', { received, size }))
      const dir = await prepareDestination(upload.dir, relPath, signal)
      const name = relPath.slice(relPath.lastIndexOf('/') + 1)
      const absPath = join(dir, name)
      await link(partial, absPath)
      placed = true
      const file: LocalFile = { relPath, absPath, size }
      upload.files.push(file)
      return file
    } catch (err) {
      throw toUploadError(err)
    } finally {
      upload.writing--
      upload.lastActivity = Date.now()
      await unlink(partial).catch(() => {})
      if (!placed) {
        upload.fileKeys.delete(reserved.fileKey)
        for (const f of reserved.newFolders) upload.folderKeys.delete(f)
      }
    }
  }

  /**
   * Takes upload `id` for a transfer: its files (each checked by {@link putFile}, collisions included) and what to do
   * next.
   *
   * @throws {UploadError} `upload-not-found`, `upload-busy` (files still being written), `upload-closed` (already
   *   sent), `upload-empty`
   */
  handOver (id: string): HandedOver {
    const upload = this.get(id)
    if (upload.state !== 'open') throw new UploadError(409, 'upload-closed', t('server.upload.alreadySent'))
    if (upload.writing > 0) throw new UploadError(409, 'upload-busy', t('server.upload.busy'))
    if (upload.files.length === 0) throw new UploadError(400, 'upload-empty', t('server.upload.empty'))
    upload.state = 'sending'
    let removed: Promise<void> | undefined
    const cleanup = async (): Promise<void> => {
      removed ??= (async () => {
        this.uploads.delete(id)
        await rm(upload.dir, { recursive: true, force: true }).catch(() => {})
        await rm(`${upload.dir}.sent`, { force: true }).catch(() => {})
      })()
      return removed
    }
    return {
      files: [...upload.files],
      cleanup,
      commit: async (transferId: string) => {
        upload.state = 'sent'
        if (removed == null) await writeFile(`${upload.dir}.sent`, transferId + '\n', { mode: 0o600 })
      },
      release: () => { if (upload.state === 'sending') { upload.state = 'open'; upload.lastActivity = Date.now() } }
    }
  }

  /**
   * Removes open upload `id` (the page gave up on it).
   *
   * @throws {UploadError} `upload-not-found`, `upload-closed` (already sent: cancel the transfer instead)
   */
  async remove (id: string): Promise<void> {
    const upload = this.get(id)
    if (upload.state !== 'open') throw new UploadError(409, 'upload-closed', t('server.upload.alreadySentCancel'))
    this.uploads.delete(id)
    await rm(upload.dir, { recursive: true, force: true })
  }

  /** Removes open uploads idle for longer than `idleMs`. Returns how many were removed. */
  async sweep (now = Date.now()): Promise<number> {
    let removed = 0
    for (const upload of [...this.uploads.values()]) {
      if (upload.state === 'open' && upload.writing === 0 && now - upload.lastActivity > this.limits.idleMs) {
        this.uploads.delete(upload.id)
        await rm(upload.dir, { recursive: true, force: true }).catch(() => {})
        removed++
      }
    }
    return removed
  }

  /** Stops the sweep timer and aborts writes in progress. Uploads stay on disk (the next start removes open ones). */
  close (): void {
    clearInterval(this.timer)
    this.closing.abort()
  }
}

function toUploadError (err: unknown): Error {
  if (err instanceof UploadError || err instanceof UnsafePathError) return err
  const code = (err as { code?: unknown }).code
  if (failureReasonOf(err, 'write') === 'disk-full') {
    return new UploadError(507, 'disk-full', t('server.upload.diskFull'), { cause: err })
  }
  if (code === 'ABORT_ERR' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as { name?: unknown }).name === 'AbortError') {
    return new UploadError(400, 'upload-aborted', t('server.upload.aborted'), { cause: err })
  }
  return new UploadError(500, 'write-failed', t('server.upload.writeFailed', { reason: errorMessage(err) }), { cause: err })
}
