import { ConfigError, FerryError, RESUME_RETRY_FOR_MS } from '../../core/index.ts'
import { RecipientBlockedError, sendEach } from '../../app/index.ts'
import { MAX_UPLOAD_LIMIT_MIBPS } from '../../api/index.ts'
import { dataDirOf, interruptSignal, mdnsOf, networkOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import { formatBytes } from '../output.ts'
import { formatDuration, printable, t } from '../../text/index.ts'
import { connectionWords } from '../words.ts'
import type { CliEvent, Output } from '../output.ts'

/** Options of `ferry send`. */
export interface SendCommandOptions extends PeerOptions {
  /** `--to`, repeatable: each recipient gets a transfer of its own. */
  to: string | string[]
  /** `--limit-rate`: upload limit of the run in MiB/s (commander passes a string). */
  limitRate?: string
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
 * The `--limit-rate` value in bytes per second (MiB/s given; undefined when not given).
 * @throws {ConfigError} when it is not a positive number
 */
function limitOf (value: string | undefined): number | undefined {
  if (value == null) return undefined
  const mibps = Number(value)
  if (!Number.isFinite(mibps) || mibps <= 0 || mibps > MAX_UPLOAD_LIMIT_MIBPS) throw new ConfigError(t('cli.send.badLimitRate', { value }))
  return mibps * 1024 * 1024
}

/**
 * `ferry send --to <multiaddr|peer ID|contact>… PATH…`: sends files and folders (with their structure) through the app
 * layer's `sendEach` (each recipient resolved, checked and routed as the app does; several `--to`: a transfer each, at
 * once) and exits 0 once every receiver confirmed every file's SHA-256; non-zero if any send failed, after an `error`
 * event a person can act on (with several recipients every event names its `recipient`; one recipient that is offline
 * or declines does not stop the others). `--limit-rate <MiB/s>` caps the upload of the run, all sends together. A peer
 * ID or contact is reached on the LAN (mDNS) or at a last known direct address when a TCP connection comes up, else
 * WebRTC through a contact's Ferry that relays for both (docs/CONNECTIVITY.md §9), else via the contact's relays, else
 * via the first configured relay: a `route` event says which (`relayContact` names the contact relaying), and the
 * `connected` event the path the bytes take (`path`, `via`: "Connected through Carol's Ferry").
 */
export async function sendCommand (paths: string[], options: SendCommandOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  if ((options.text == null) === (paths.length === 0)) throw new ConfigError(t('cli.send.textOrPaths'))
  const recipients = typeof options.to === 'string' ? [options.to] : [...new Set(options.to)]
  const several = recipients.length > 1
  const limitBytesPerSecond = limitOf(options.limitRate)
  const text = options.text == null ? undefined : await textOf(options.text, signal)
  const network = networkOf(options)
  let dialStartedAt = Date.now()
  const outcomes = await sendEach({
    dataDir: dataDirOf(options),
    relays: network.relays,
    iceServers: network.iceServers,
    listen: options.listen,
    mdns: mdnsOf(options.mdns),
    to: recipients,
    paths,
    text,
    queue: options.queue === true,
    retryForMs: Number(options.retryFor ?? RESUME_RETRY_FOR_MS / 1000) * 1000,
    limitBytesPerSecond,
    signal,
    on: (to) => {
      // With several recipients, every event and line says whose send it is.
      const tag = several ? { recipient: to } : {}
      const say = (words: string): string => several ? t('cli.send.forRecipient', { who: printable(to), words }) : words
      const event = (e: CliEvent, words?: string): void => out.event({ ...e, ...tag }, words == null ? undefined : say(words))
      return {
        started: () => { dialStartedAt = Date.now() },
        queued: (entry) => event({ event: 'queued', id: entry.id, peerId: entry.peerId, contact: entry.contact }, t('cli.send.queued', { name: printable(entry.contact) })),
        route: (route) => event({ event: 'route', peerId: route.peerId, contact: route.contact, via: route.via, relayContact: route.relay?.name ?? null, addr: route.addr.toString() },
          route.via === 'contact-relay'
            ? t('cli.send.reaching.contactRelay', { who: printable(route.contact ?? route.peerId), relay: printable(route.relay?.name ?? '?') })
            : t(route.via === 'relay' ? 'cli.send.reaching.relay' : route.via === 'lan' ? 'cli.send.reaching.lan' : 'cli.send.reaching.known', { who: route.contact ?? route.peerId })),
        // One progress bar cannot show several sends: with several recipients, progress is for --json only.
        progress: p => { if (!several) out.progress(p); else if (out.json) event({ event: 'progress', transferId: p.transferId, transferredBytes: p.transferredBytes, totalBytes: p.totalBytes, file: p.filePath, bytesPerSecond: Math.round(p.bytesPerSecond), etaMs: p.etaMs == null ? null : Math.round(p.etaMs) }) },
        resuming: r => event({ event: 'resuming', transferId: r.transferId, skippedBytes: r.skippedBytes },
          t('cli.send.resuming', { size: formatBytes(r.skippedBytes) })),
        connected: (info, path) => event({ event: 'connected', transport: info.transport, remoteAddr: info.remoteAddr, limited: info.limited, relayed: info.relayed, candidateType: info.candidateType ?? null, candidates: info.candidates ?? null, path: path.path, via: path.via ?? null, connectMs: Date.now() - dialStartedAt },
          t('cli.send.connected', { how: path.path === 'contact-relay' ? printable(path.text) : connectionWords(info) })),
        retry: (attempt, err) => event({ event: 'retry', attempt, message: (err as Error).message }),
        skipped: (skipped) => out.event({ event: 'skipped', paths: skipped }, t('cli.send.skipped', { paths: skipped.join(', ') })),
        interrupted: (attempt, err) => event({ event: 'interrupted', attempt, message: (err as Error).message },
          t('cli.send.interrupted', { message: (err as Error).message })),
        complete: (result) => {
          const mibps = (result.totalBytes - (result.skippedBytes ?? 0)) / 1048576 / (Math.max(1, result.transferMs) / 1000)
          event({ event: 'complete', transferId: result.transferId, peerId: result.peerId, transport: result.connection.transport, totalBytes: result.totalBytes, skippedBytes: result.skippedBytes ?? 0, durationMs: result.durationMs, transferMs: result.transferMs, mibPerSec: Number(mibps.toFixed(2)), files: result.files, ...(result.notAccepted == null ? {} : { notAccepted: result.notAccepted }), ...(text == null ? {} : { kind: 'text' }) },
            text != null ? t('cli.send.textSent', { size: formatBytes(result.totalBytes) }) : t('cli.send.complete', { count: result.files.length, size: formatBytes(result.totalBytes), duration: formatDuration(result.transferMs), speed: mibps.toFixed(1) }))
          if (result.notAccepted != null) {
            event({ event: 'not-accepted', transferId: result.transferId, accepted: result.files.length, offered: result.files.length + result.notAccepted.length, paths: result.notAccepted },
              t('cli.send.notAccepted', { accepted: result.files.length, offered: result.files.length + result.notAccepted.length, paths: result.notAccepted.map(p => printable(p)).join(', ') }))
          }
        }
      }
    }
  })
  const failed = outcomes.filter(o => o.result == null)
  if (!several) {
    if (failed[0] != null) throw cliError(failed[0].error)
    return 0
  }
  for (const o of failed) out.failure(cliError(o.error), { direction: 'send' }, { recipient: o.to })
  if (failed.length > 0) out.event({ event: 'summary', sent: outcomes.length - failed.length, failed: failed.length }, t('cli.send.someFailed', { failed: failed.length, count: outcomes.length }))
  return failed.length === 0 ? 0 : 1
}

/** The CLI's words for a blocked recipient (how to unblock it here); any other error as it is. */
function cliError (err: unknown): unknown {
  return err instanceof RecipientBlockedError ? new FerryError('blocked', t('cli.send.blocked', { name: err.contactName, peerId: err.peerId })) : err
}
