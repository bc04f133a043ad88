/**
 * Main's re-validation of the files the preload resolved with `webUtils.getPathForFile` (design brief §6.10,
 * Element Desktop `src/webcontents-handler.ts`): the renderer is not trusted to name paths, so before anything is
 * sent every path must be absolute, exist, be a regular file or a folder, and be readable. The transfer core then
 * checks every relative path again when it builds the offer.
 */
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import path from 'node:path'
import { ApiError } from '../api/index.ts'

/** One entry of a `sendLocalFiles` request. */
export interface LocalFileEntry {
  path: string
  relativePath: string
}

/**
 * Checks every entry of a `sendLocalFiles` request against the filesystem, all before returning.
 *
 * @throws {ApiError} `invalid-request` for a relative or non-normalised path or a relative path with `..`, `\` or a
 *   leading `/`; `file-not-found` for a path that does not exist; `unsupported-file` for something that is neither a
 *   regular file nor a folder (device, socket, FIFO); `file-unreadable` when it cannot be read
 */
export async function checkLocalFiles (files: readonly LocalFileEntry[], signal?: AbortSignal): Promise<void> {
  for (const f of files) {
    if (!path.isAbsolute(f.path) || f.path.includes('\0') || path.normalize(f.path) !== f.path) {
      throw new ApiError('invalid-request', 'A dropped file has no absolute path')
    }
    const rel = f.relativePath
    if (rel.startsWith('/') || rel.includes('\\') || rel.includes('\0') || rel.split('/').some(s => s === '..' || s === '.' || s === '')) {
      throw new ApiError('invalid-request', `Not a valid relative path: ${JSON.stringify(rel)}`)
    }
  }
  for (const f of files) {
    signal?.throwIfAborted()
    let info
    try {
      info = await stat(f.path)
    } catch {
      throw new ApiError('file-not-found', `${path.basename(f.path)} no longer exists`)
    }
    if (!info.isFile() && !info.isDirectory()) {
      throw new ApiError('unsupported-file', `${path.basename(f.path)} is not a file or folder`)
    }
    try {
      await access(f.path, constants.R_OK)
    } catch {
      throw new ApiError('file-unreadable', `${path.basename(f.path)} cannot be read`)
    }
  }
}
