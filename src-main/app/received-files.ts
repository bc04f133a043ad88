/**
 * The received files a host may open, reveal or serve: looked up by transfer ID and file index in the store — never
 * by a path from a request — and only files Ferry itself placed: a file of a receive, recorded `verified`, inside the
 * transfer's download folder (its real path too), still a regular file (not a symbolic link) of the size it was
 * received with. Every host
 * (the Electron shell's Open, the headless server's Download) goes through here (docs/THREAT-MODEL.md).
 */
import { constants } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { basename, extname, isAbsolute, relative } from 'node:path'
import { ApiError } from '../api/index.ts'
import type { Store } from '../core/store/index.ts'
import { t } from '../text/index.ts'

/** A received file, checked and open for reading. */
export interface ReceivedFile {
  /** Open read-only (`O_NOFOLLOW`); the caller closes it. */
  handle: FileHandle
  /** Absolute path it was placed at (for the host's shell calls only; never sent to a page). */
  absPath: string
  /** The file name it was saved under (may differ from the offered one: `IMG_0001 (1).jpg`). */
  name: string
  /** Bytes. */
  size: number
}

/**
 * Extensions of files that run code when "opened" with the system's default application (Windows, macOS and Linux
 * desktops): a received file of one of these is only shown in its folder, never opened by Ferry.
 */
export const RUNS_WHEN_OPENED: ReadonlySet<string> = new Set([
  '.app', '.appimage', '.bat', '.cmd', '.com', '.command', '.cpl', '.desktop', '.exe', '.hta', '.jar', '.js', '.jse',
  '.lnk', '.msc', '.msi', '.msp', '.pif', '.ps1', '.reg', '.scr', '.sh', '.url', '.vb', '.vbe', '.vbs', '.ws', '.wsf', '.wsh'
])

/**
 * Opens file `fileIndex` of received transfer `transferId` for reading, after the checks of the module.
 *
 * @throws {ApiError} `not-available` when the transfer is not a receive, the file was not received and verified (not
 *   accepted, failed, still in flight), or it is no longer the regular file Ferry placed (moved, replaced by a link,
 *   changed size)
 */
export async function openReceivedFile (store: Pick<Store, 'transfers'>, transferId: string, fileIndex: number): Promise<ReceivedFile> {
  const record = store.transfers.get(transferId)
  if (record == null || record.direction !== 'receive' || record.destDir == null) throw new ApiError('not-available', t('app.notAReceivedFile'))
  const file = store.transfers.files(transferId)[fileIndex]
  if (file == null) throw new ApiError('not-available', t('app.noSuchFile'))
  const absPath = file.localPath
  const rel = absPath == null ? '' : relative(record.destDir, absPath)
  if (file.state !== 'verified' || absPath == null || rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new ApiError('not-available', t('app.notAReceivedFile'))
  let handle: FileHandle
  try {
    handle = await open(absPath, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch {
    throw new ApiError('not-available', t('app.receivedFileGone'))
  }
  const st = await handle.stat().catch(() => undefined)
  // A folder on the way replaced by a link (O_NOFOLLOW checks only the last name): it must still resolve inside.
  const real = await Promise.all([realpath(absPath), realpath(record.destDir)]).catch(() => undefined)
  const inside = real != null && !relative(real[1], real[0]).startsWith('..') && !isAbsolute(relative(real[1], real[0]))
  if (st == null || !st.isFile() || st.size !== file.size || !inside) {
    await handle.close()
    throw new ApiError('not-available', t('app.receivedFileGone'))
  }
  return { handle, absPath, name: basename(absPath), size: st.size }
}

/**
 * The absolute path of a received file the host may open with the system's default application (Electron
 * `shell.openPath`): as {@link openReceivedFile}, and not a file that runs code when opened.
 *
 * @throws {ApiError} as {@link openReceivedFile}; `runs-code` for a file {@link RUNS_WHEN_OPENED} names
 */
export async function receivedPathToOpen (store: Pick<Store, 'transfers'>, transferId: string, fileIndex: number): Promise<string> {
  const file = await openReceivedFile(store, transferId, fileIndex)
  await file.handle.close()
  if (RUNS_WHEN_OPENED.has(extname(file.name).toLowerCase())) throw new ApiError('runs-code', t('app.openRunsCode'))
  return file.absPath
}
