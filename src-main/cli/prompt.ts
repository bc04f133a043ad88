import { createInterface } from 'node:readline/promises'
import type { IncomingOffer, OfferDecision } from '../core/index.ts'
import { formatBytes, printable } from '../text/index.ts'
import type { Output } from './output.ts'

export { printable }

/**
 * Asks whether to accept an offer, on stdin: `y`/`yes` accepts, anything else (or end of input) declines. The full
 * file list is shown first, so the person sees exactly what would be written. Scripts answer by writing a line.
 */
export async function askToAccept (offer: IncomingOffer, out: Output, signal: AbortSignal): Promise<OfferDecision> {
  const shown = offer.files.slice(0, 50).map(f => `  ${printable(f.path)}  (${formatBytes(f.size)})`)
  if (offer.files.length > 50) shown.push(`  … and ${offer.files.length - 50} more`)
  out.event({ event: 'offer', transferId: offer.transferId, peerId: offer.peerId, senderName: offer.senderName ?? null, totalBytes: offer.totalBytes, files: offer.files },
    `${offer.senderName != null ? `"${printable(offer.senderName)}" ` : ''}(${offer.peerId}) offers ${offer.files.length} file(s), ${formatBytes(offer.totalBytes)}:\n${shown.join('\n')}`)
  const rl = createInterface({ input: process.stdin, output: out.json ? undefined : process.stderr, terminal: process.stdin.isTTY === true })
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      rl.once('close', () => resolve(''))
      rl.question(out.json ? '' : 'Accept? [y/N] ', { signal }).then(resolve, reject)
    })
    return /^\s*y(es)?\s*$/i.test(answer) ? { accept: true } : { accept: false }
  } catch {
    return { accept: false }
  } finally {
    rl.close()
  }
}
