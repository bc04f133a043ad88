/**
 * The one check of files a host names for sending (pattern: Element Desktop `src/webcontents-handler.ts`), run where
 * they enter: the page is not trusted to name paths, so the Electron main process runs this before a `sendLocalFiles`
 * request reaches the core's process, and the app service runs it on every file it is handed (`sendLocalFiles`,
 * `sendPrepared`) — its own boundary, in the core's process. It turns the request's `{ path, relativePath }` into the
 * one shape of a file to send (the core's `LocalFile`), which nothing re-checks on the way; the sender opens each file
 * without following links (`core/transfer/local-files.ts`). Only zod-free, libp2p-free imports, so the Electron main
 * bundle stays small.
 */
import { constants } from 'node:fs'
import { access, lstat } from 'node:fs/promises'
import path from 'node:path'
import { ApiError } from '../api/constants.ts'
import type { Requests } from '../api/index.ts'
import { validateFileList } from '../core/paths/index.ts'
import { failureReasonOf } from '../core/errors/index.ts'
import type { LocalFile } from '../core/index.ts'
import { t } from '../text/index.ts'

/**
 * A file as a host names it in a `sendLocalFiles` request: where it is (`path`), and the `/`-separated path it gets in
 * the transfer (`relativePath`). The contract's shape, before {@link checkLocalFiles} turns it into a `LocalFile`.
 */
export type LocalFileEntry = Requests['sendLocalFiles']['files'][number]

/**
 * Checks every entry, all before returning: each `relativePath` passes the core path-safety rules
 * (`paths.validateFileList`, the whole list at once: `..`, absolute, reserved, invisible or colliding names), each
 * `path` is absolute and normalised, and — by `lstat`, so a symbolic link is refused, not followed — a readable
 * regular file (not a folder: a folder is sent as the files in it; not a link, device, socket or FIFO). Error
 * messages name files by their `relativePath` only.
 *
 * @returns the files with their sizes from `lstat` (bytes)
 * @throws {UnsafePathError} code `unsafe-path` for a relative path the receiver could not write safely
 * @throws {ApiError} code `invalid-path` (not absolute and normalised, a link, a folder, not a regular file),
 *   `source-unreadable` (missing or unreadable)
 */
export async function checkLocalFiles (files: readonly LocalFileEntry[], signal?: AbortSignal): Promise<LocalFile[]> {
  validateFileList(files.map(f => f.relativePath))
  const out: LocalFile[] = []
  for (const f of files) {
    signal?.throwIfAborted()
    const name = JSON.stringify(f.relativePath)
    if (!path.isAbsolute(f.path) || f.path.includes('\0') || path.normalize(f.path) !== f.path) {
      throw new ApiError('invalid-path', t('app.file.notAbsolute', { name }))
    }
    let info
    try {
      info = await lstat(f.path)
    } catch (err) {
      const reason = failureReasonOf(err, 'read')
      throw new ApiError('source-unreadable', t(reason === 'file-gone' ? 'app.file.gone' : reason === 'permission-denied' ? 'app.file.permissionDenied' : 'app.file.unreadable', { name }))
    }
    if (info.isSymbolicLink()) throw new ApiError('invalid-path', t('app.file.symlink', { name }))
    if (info.isDirectory()) throw new ApiError('invalid-path', t('app.file.folder', { name }))
    if (!info.isFile()) throw new ApiError('invalid-path', t('app.file.notAFile', { name }))
    try {
      await access(f.path, constants.R_OK)
    } catch {
      throw new ApiError('source-unreadable', t('app.file.unreadable', { name }))
    }
    out.push({ relPath: f.relativePath, absPath: f.path, size: info.size })
  }
  return out
}
