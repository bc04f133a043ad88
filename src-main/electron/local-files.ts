/**
 * Main's re-validation of the files the preload resolved with `webUtils.getPathForFile` (design brief §6.10,
 * Element Desktop `src/webcontents-handler.ts`): the renderer is not trusted to name paths, so before a request
 * reaches the core every relative path passes the one path-safety module (core/paths `validateFileList`), and every
 * path must be absolute and name a readable regular file — not a folder (a folder is sent as the files in it), not a
 * symbolic link, not a device, socket or FIFO. The rules and error codes are the app service's own
 * (src-main/app/send.ts `validateLocalFiles`), which checks again in the core.
 */
import { constants } from 'node:fs'
import { access, lstat } from 'node:fs/promises'
import path from 'node:path'
import { ApiError } from '../api/index.ts'
import { validateFileList } from '../core/paths/index.ts'

/** One entry of a `sendLocalFiles` request. */
export interface LocalFileEntry {
  path: string
  relativePath: string
}

/**
 * Checks every entry of a `sendLocalFiles` request, all before returning.
 *
 * @throws {UnsafePathError} `unsafe-path` for a relative path core/paths refuses (`..`, absolute, reserved or invisible
 *   names, collisions, …)
 * @throws {ApiError} `invalid-path` for a path that is not absolute and normalised, a folder, a symbolic link or not a
 *   regular file; `source-unreadable` for one that is missing or cannot be read
 */
export async function checkLocalFiles (files: readonly LocalFileEntry[], signal?: AbortSignal): Promise<void> {
  validateFileList(files.map(f => f.relativePath))
  for (const f of files) {
    signal?.throwIfAborted()
    const name = JSON.stringify(f.relativePath)
    if (!path.isAbsolute(f.path) || f.path.includes('\0') || path.normalize(f.path) !== f.path) {
      throw new ApiError('invalid-path', `${name} was not given as an absolute path; nothing was sent`)
    }
    let info
    try {
      info = await lstat(f.path)
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT'
      throw new ApiError('source-unreadable', `${name} ${missing ? 'no longer exists' : 'cannot be read'}; nothing was sent`)
    }
    if (info.isSymbolicLink()) throw new ApiError('invalid-path', `${name} is a symbolic link; links are not sent (send the file it points to); nothing was sent`)
    if (info.isDirectory()) throw new ApiError('invalid-path', `${name} is a folder; a folder is sent as the files in it; nothing was sent`)
    if (!info.isFile()) throw new ApiError('invalid-path', `${name} is not a regular file; nothing was sent`)
    try {
      await access(f.path, constants.R_OK)
    } catch {
      throw new ApiError('source-unreadable', `${name} cannot be read; nothing was sent`)
    }
  }
}
