/**
 * The name a received file was saved under, when it differs from the name it was offered with: a file of the offered
 * name existed, so placement chose another (`IMG_0001 (1).jpg`; docs/PROTOCOL.md §9). Every host shows it.
 */
import { isAbsolute, relative, sep } from 'node:path'
import type { TransferFileRecord, TransferRecord } from '../core/store/index.ts'

/**
 * The `/`-separated path, relative to the transfer's download folder, that a received file was placed at — only when it
 * differs from its offered `relPath`; undefined for a send, a file not placed, or one placed under its offered path.
 */
export function savedNameOf (record: Pick<TransferRecord, 'direction' | 'destDir'>, file: Pick<TransferFileRecord, 'relPath' | 'localPath'>): string | undefined {
  if (record.direction !== 'receive' || record.destDir == null || file.localPath == null) return undefined
  const rel = relative(record.destDir, file.localPath)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined
  const saved = rel.split(sep).join('/')
  return saved === file.relPath ? undefined : saved
}
