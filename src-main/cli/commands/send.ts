import { ConfigError, FerryError, RESUME_RETRY_FOR_MS } from '../../core/index.ts'
import { RecipientBlockedError, sendOnce } from '../../app/index.ts'
import { dataDirOf, interruptSignal, mdnsOf, networkOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import { formatBytes } from '../output.ts'
import { formatDuration, printable, t } from '../../text/index.ts'
import { connectionWords } from '../words.ts'
import type { Output } from '../output.ts'

/** Options of `ferry send`. */
export interface SendCommandOptions extends PeerOptions {
  to: string
  /** Seconds to keep trying to resume after the connection drops (commander passes a string). */
  retryFor?: string
  /** `--no-mdns` gives false: do not look for the peer on the LAN. */
  mdns?: boolean
  /** `--text`: a text snippet to send instead of files; `-` reads it from standard input. */
  text?: string
  /** `--queue`: queue it in the outbox and wait until the contact comes online. */
  queue?: boolean
}

/**
 * The text of `--text`: the value itself, or for `-` all of standard input (decoded as UTF-8, strictly).
 * @throws {ConfigError} when standard input is not UTF-8
 */
async function textOf (value: string, signal: AbortSignal): Promise<string> {
  if (value !== '-') return value
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) {
    signal.throwIfAborted()
    chunks.push(chunk as Buffer)
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw new ConfigError(t('cli.send.stdinNotUtf8'))
  }
}

/**
 * `ferry send --to <multiaddr|peer ID|contact> PATH…`: sends files and folders (with their structure) through the app
 * layer's `sendOnce` (the recipient resolved, checked and routed as the app does) and exits 0 once the receiver
 * confirmed every file's SHA-256; non-zero on failure, after an `error` event a person can act on. A peer ID or
 * contact is reached on the LAN (mDNS) or at a last known direct address when a TCP connection comes up, else WebRTC
 * through a contact's Ferry that relays for both (docs/CONNECTIVITY.md §9), else via the contact's relays, else via the
 * first configured relay: a `route` event says which (`relayContact` names the contact relaying), and the `connected`
 * event the path the bytes take (`path`, `via`: "Connected through Carol's Ferry").
 */
export async function sendCommand (paths: string[], options: SendCommandOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  if ((options.text == null) === (paths.length === 0)) throw new ConfigError(t('cli.send.textOrPaths'))
  const text = options.text == null ? undefined : await textOf(options.text, signal)
  const network = networkOf(options)
  let dialStartedAt = Date.now()
  try {
    await sendOnce({
      dataDir: dataDirOf(options),
      relays: network.relays,
      iceServers: network.iceServers,
      listen: options.listen,
      mdns: mdnsOf(options.mdns),
      to: options.to,
      paths,
      text,
      queue: options.queue === true,
      retryForMs: Number(options.retryFor ?? RESUME_RETRY_FOR_MS / 1000) * 1000,
      signal,
      on: {
        started: () => { dialStartedAt = Date.now() },
        queued: (entry) => out.event({ event: 'queued', id: entry.id, peerId: entry.peerId, contact: entry.contact }, t('cli.send.queued', { name: printable(entry.contact) })),
        route: (route) => out.event({ event: 'route', peerId: route.peerId, contact: route.contact, via: route.via, relayContact: route.relay?.name ?? null, addr: route.addr.toString() },
          route.via === 'contact-relay'
            ? t('cli.send.reaching.contactRelay', { who: printable(route.contact ?? route.peerId), relay: printable(route.relay?.name ?? '?') })
            : t(route.via === 'relay' ? 'cli.send.reaching.relay' : route.via === 'lan' ? 'cli.send.reaching.lan' : 'cli.send.reaching.known', { who: route.contact ?? route.peerId })),
        progress: p => out.progress(p),
        resuming: r => out.event({ event: 'resuming', transferId: r.transferId, skippedBytes: r.skippedBytes },
          t('cli.send.resuming', { size: formatBytes(r.skippedBytes) })),
        connected: (info, path) => out.event({ event: 'connected', transport: info.transport, remoteAddr: info.remoteAddr, limited: info.limited, relayed: info.relayed, candidateType: info.candidateType ?? null, candidates: info.candidates ?? null, path: path.path, via: path.via ?? null, connectMs: Date.now() - dialStartedAt },
          t('cli.send.connected', { how: path.path === 'contact-relay' ? printable(path.text) : connectionWords(info) })),
        retry: (attempt, err) => out.event({ event: 'retry', attempt, message: (err as Error).message }),
        skipped: (skipped) => out.event({ event: 'skipped', paths: skipped }, t('cli.send.skipped', { paths: skipped.join(', ') })),
        interrupted: (attempt, err) => out.event({ event: 'interrupted', attempt, message: (err as Error).message },
          t('cli.send.interrupted', { message: (err as Error).message })),
        complete: (result) => {
          const mibps = (result.totalBytes - (result.skippedBytes ?? 0)) / 1048576 / (Math.max(1, result.transferMs) / 1000)
          out.event({ event: 'complete', transferId: result.transferId, peerId: result.peerId, transport: result.connection.transport, totalBytes: result.totalBytes, skippedBytes: result.skippedBytes ?? 0, durationMs: result.durationMs, transferMs: result.transferMs, mibPerSec: Number(mibps.toFixed(2)), files: result.files, ...(text == null ? {} : { kind: 'text' }) },
            text != null ? t('cli.send.textSent', { size: formatBytes(result.totalBytes) }) : t('cli.send.complete', { count: result.files.length, size: formatBytes(result.totalBytes), duration: formatDuration(result.transferMs), speed: mibps.toFixed(1) }))
        }
      }
    })
  } catch (err) {
    // The CLI's words for a blocked recipient: how to unblock it here.
    if (err instanceof RecipientBlockedError) throw new FerryError('blocked', t('cli.send.blocked', { name: err.contactName, peerId: err.peerId }))
    throw err
  }
  return 0
}
