/**
 * Why a file operation failed, as a typed fact that travels with an error's `code` (e.g. `write-failed` with reason
 * `disk-full`): on the error object, on the wire (the protocol's `error` message, docs/PROTOCOL.md §4 and §11), in the
 * history, and in the API's views. Layers agree through these values, never through message text.
 *
 * The reasons come from the system's error number (Node's `err.code`, e.g. `ENOSPC`); this module is the only place
 * that reads one (the table is in docs/PROTOCOL.md §11, "Reasons").
 */

/**
 * Every reason, in the order of the table in docs/PROTOCOL.md §11:
 * - `disk-full`: no space left, or the user's quota is used up (`ENOSPC`, `EDQUOT`)
 * - `permission-denied`: not allowed, or a read-only file system (`EACCES`, `EPERM`, `EROFS`)
 * - `folder-gone`: writing: the folder written into is gone or not a folder any more (`ENOENT`, `ENOTDIR`)
 * - `file-gone`: reading: the file sent is gone (`ENOENT`, `ENOTDIR`)
 * - `file-changed`: reading: the file sent became shorter while it was sent (no errno: decided by the sender)
 * - `other`: anything else (an I/O error, a name too long, …)
 */
export const FAILURE_REASONS = ['disk-full', 'permission-denied', 'folder-gone', 'file-gone', 'file-changed', 'other'] as const
/** Why a file operation failed; see {@link FAILURE_REASONS}. */
export type FailureReason = typeof FAILURE_REASONS[number]

/** Which kind of file operation failed: it decides what a missing path means (a folder gone, or a file gone). */
export type FileOperation = 'write' | 'read'

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT'])
const PERMISSION_DENIED = new Set(['EACCES', 'EPERM', 'EROFS'])
const GONE = new Set(['ENOENT', 'ENOTDIR'])

/** Whether `value` is one of {@link FAILURE_REASONS} (for values from a peer or a database). */
export function isFailureReason (value: unknown): value is FailureReason {
  return typeof value === 'string' && (FAILURE_REASONS as readonly string[]).includes(value)
}

/**
 * The reason a file operation failed, from the system error `err` (its `code`, e.g. `ENOSPC`). An error that is not a
 * system error, or an errno not listed in {@link FAILURE_REASONS}, is `other`.
 *
 * @param op - `write` (receiving: a temp file, a folder, a placement) or `read` (sending: a source file)
 */
export function failureReasonOf (err: unknown, op: FileOperation): FailureReason {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return 'other'
  if (DISK_FULL.has(code)) return 'disk-full'
  if (PERMISSION_DENIED.has(code)) return 'permission-denied'
  if (GONE.has(code)) return op === 'write' ? 'folder-gone' : 'file-gone'
  return 'other'
}
