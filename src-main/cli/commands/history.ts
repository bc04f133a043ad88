import { readHistory, savedNameOf } from '../../app/index.ts'
import { dataDirOf } from '../options.ts'
import { formatBytes } from '../output.ts'
import { describeFailure, printable, t } from '../../text/index.ts'
import type { TransferFileRecord, TransferRecord } from '../../core/index.ts'
import type { Output } from '../output.ts'

/** Options of `ferry history`. */
export interface HistoryOptions {
  dataDir?: string
  limit?: string
  peer?: string
}

/** Why a transfer ended badly, in the words of the one table of failures (from its recorded code and reason). */
function failureWords (r: TransferRecord): string {
  return describeFailure({ code: r.errorCode ?? 'internal', reason: r.errorReason, peerMessage: r.errorPeerMessage, message: r.errorMessage }, { direction: r.direction }).message
}

/** Files listed under a transfer in the human output; the JSON lists them all. */
const LISTED_FILES = 20

/**
 * The file names of a transfer, one a line: those not accepted marked so, a file saved under another name with that
 * name; at most {@link LISTED_FILES}.
 */
function fileLines (r: TransferRecord, files: readonly TransferFileRecord[]): string[] {
  const lines = files.slice(0, LISTED_FILES).map(f => {
    const saved = savedNameOf(r, f)
    const note = f.state === 'skipped' ? `  ${t('cli.history.notAccepted')}` : saved == null ? '' : `  ${t('cli.history.savedAs', { saved: printable(saved) })}`
    return `    ${printable(f.relPath)}  (${formatBytes(f.size)})${note}`
  })
  if (files.length > LISTED_FILES) lines.push(`    ${t('cli.offer.more', { count: files.length - LISTED_FILES })}`)
  return lines
}

/** `ferry history`: the transfers recorded (the app layer's history), newest first, with their files. */
export async function historyCommand (options: HistoryOptions, out: Output): Promise<number> {
  const entries = await readHistory(dataDirOf(options), { limit: Number(options.limit ?? 50), peerId: options.peer, files: true })
  for (const { record: r, files = [] } of entries) {
    const line = t('cli.history.line', {
      when: new Date(r.createdAt).toISOString(),
      direction: t(r.direction === 'send' ? 'cli.history.sentTo' : 'cli.history.receivedFrom'),
      peer: r.peerId.slice(-8),
      state: r.state.padEnd(11),
      count: String(r.fileCount).padStart(5),
      size: formatBytes(r.totalBytes).padStart(10)
    })
    out.event({ event: 'transfer', ...r, files: files.map(f => ({ path: f.relPath, size: f.size, state: f.state, sha256: f.sha256 ?? null, savedName: savedNameOf(r, f) ?? null })) },
      [`${line}${r.errorCode != null && r.state !== 'completed' ? `  ${failureWords(r)}` : ''}${r.kind === 'text' ? `  text: ${printable((r.text ?? '').slice(0, 200))}` : ''}`,
        ...fileLines(r, files)].join('\n'))
  }
  if (entries.length === 0) out.event({ event: 'empty' }, t('cli.history.empty'))
  return 0
}
