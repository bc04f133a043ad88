import { createInterface } from 'node:readline/promises'
import type { IncomingOffer, OfferDecision } from '../core/index.ts'
import { formatBytes, printable, t } from '../text/index.ts'
import type { Output } from './output.ts'

export { printable }

/**
 * Asks whether to accept an offer, on stdin: `y`/`yes` (also `是`) accepts, anything else (or end of input) declines. The full
 * file list is shown first, so the person sees exactly what would be written. Scripts answer by writing a line.
 */
export async function askToAccept (offer: IncomingOffer, out: Output, signal: AbortSignal): Promise<OfferDecision> {
  const shown = offer.files.slice(0, 50).map(f => `  ${printable(f.path)}  (${formatBytes(f.size)})`)
  if (offer.files.length > 50) shown.push(`  ${t('cli.offer.more', { count: offer.files.length - 50 })}`)
  if (offer.kind === 'text') shown.push(`  ${t('cli.offer.text')}`, printable(offer.text ?? ''))
  if (offer.freeBytes != null) shown.push(t('cli.offer.noRoom', { free: formatBytes(offer.freeBytes) }))
  out.event({ event: 'offer', transferId: offer.transferId, peerId: offer.peerId, senderName: offer.senderName ?? null, totalBytes: offer.totalBytes, files: offer.files, ...(offer.kind === 'text' ? { kind: offer.kind, text: offer.text } : {}), ...(offer.freeBytes == null ? {} : { freeBytes: offer.freeBytes }) },
    `${t(offer.senderName != null ? 'cli.offer.named' : 'cli.offer', { name: printable(offer.senderName ?? ''), peerId: offer.peerId, count: offer.files.length, size: formatBytes(offer.totalBytes) })}\n${shown.join('\n')}`)
  const rl = createInterface({ input: process.stdin, output: out.json ? undefined : process.stderr, terminal: process.stdin.isTTY === true })
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.once('close', () => resolve(''))
      rl.question(out.json ? '' : `${t('cli.offer.ask')} `, { signal }).then(resolve, reject)
    })
    return /^\s*(y(es)?|是)\s*$/i.test(answer) ? { accept: true } : { accept: false }
  } catch {
    return { accept: false }
  } finally {
    rl.close()
  }
}
