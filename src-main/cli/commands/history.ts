import { readHistory } from '../../app/index.ts'
import { dataDirOf } from '../options.ts'
import { formatBytes } from '../output.ts'
import { describeFailure, printable } from '../../text/index.ts'
import type { TransferRecord } from '../../core/index.ts'
import type { Output } from '../output.ts'

/** Options of `ferry history`. */
export interface HistoryOptions {
  dataDir?: string
  limit?: string
  peer?: string
}

/** Why a transfer ended badly, in the words of the one table of failures (from its recorded code and reason). */
function failureWords (t: TransferRecord): string {
  return describeFailure({ code: t.errorCode ?? 'internal', reason: t.errorReason, peerMessage: t.errorPeerMessage, message: t.errorMessage }, { direction: t.direction }).message
}

/** `ferry history`: the transfers recorded (the app layer's history), newest first, with their files. */
export async function historyCommand (options: HistoryOptions, out: Output): Promise<number> {
  const entries = await readHistory(dataDirOf(options), { limit: Number(options.limit ?? 50), peerId: options.peer, files: true })
  for (const { record: t, files = [] } of entries) {
    out.event({ event: 'transfer', ...t, files: files.map(f => ({ path: f.relPath, size: f.size, state: f.state, sha256: f.sha256 ?? null })) },
      `${new Date(t.createdAt).toISOString()}  ${t.direction === 'send' ? 'sent to  ' : 'received from'} ${t.peerId.slice(-8)}  ${t.state.padEnd(11)} ${String(t.fileCount).padStart(5)} files  ${formatBytes(t.totalBytes).padStart(10)}${t.errorCode != null && t.state !== 'completed' ? `  ${failureWords(t)}` : ''}${t.kind === 'text' ? `  text: ${printable((t.text ?? '').slice(0, 200))}` : ''}`)
  }
  if (entries.length === 0) out.event({ event: 'empty' }, 'No transfers yet.')
  return 0
}
