import { cancelQueued, readOutbox } from '../../app/index.ts'
import { FerryError } from '../../core/index.ts'
import { dataDirOf } from '../options.ts'
import { formatBytes } from '../output.ts'
import { printable, t } from '../../text/index.ts'
import type { Output } from '../output.ts'

/** Options of `ferry outbox`. */
export interface OutboxOptions {
  dataDir?: string
}

/** What `ferry outbox` does: list the queued sends, or cancel one by its ID. */
export type OutboxAction = { action: 'list' } | { action: 'cancel', id: string }

/**
 * `ferry outbox list` (one `queued` event per send waiting for its contact to come online, oldest first; `empty`
 * when none) and `ferry outbox cancel <id>` (`cancelled`; exit 1 with `not-found` when no such send is queued).
 * Works beside a running app on the same data directory: it finds a cancelled send gone before offering it.
 */
export async function outboxCommand (what: OutboxAction, options: OutboxOptions, out: Output): Promise<number> {
  const dataDir = dataDirOf(options)
  if (what.action === 'cancel') {
    if (!await cancelQueued(dataDir, what.id)) throw new FerryError('not-found', t('cli.outbox.notFound', { id: printable(what.id) }))
    out.event({ event: 'cancelled', id: what.id }, t('cli.outbox.cancelled', { id: what.id }))
    return 0
  }
  const entries = await readOutbox(dataDir)
  for (const e of entries) {
    const words = { id: e.id, peer: printable(e.contact ?? e.peerId.slice(-8)), count: e.fileCount, size: formatBytes(e.totalBytes), when: new Date(e.createdAt).toISOString() }
    out.event({ event: 'queued', ...e, contact: e.contact ?? null }, t(e.kind === 'text' ? 'cli.outbox.lineText' : 'cli.outbox.line', words))
  }
  if (entries.length === 0) out.event({ event: 'empty' }, t('cli.outbox.empty'))
  return 0
}
