import { multiaddr } from '@multiformats/multiaddr'
import { startPeer } from '../../core/index.ts'
import { ConfigError } from '../../core/config/index.ts'
import { RESUME_RETRY_FOR_MS } from '../../core/transfer/constants.ts'
import { dataDirOf, interruptSignal, networkOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import { formatBytes } from '../output.ts'
import type { Output } from '../output.ts'

/** Options of `ferry send`. */
export interface SendCommandOptions extends PeerOptions {
  to: string
  /** Seconds to keep trying to resume after the connection drops (commander passes a string). */
  retryFor?: string
}

/** The multiaddr to dial: `--to` as given, or a bare peer ID reached through the first relay. */
function targetOf (to: string, relays: string[]): string {
  if (to.startsWith('/')) return to
  const relay = relays[0]
  if (relay == null) throw new ConfigError(`"${to}" is not a multiaddr, and no relay is configured to reach a peer ID through`)
  return `${relay}/p2p-circuit/webrtc/p2p/${to}`
}

/**
 * `ferry send --to <multiaddr> PATH…`: sends files and folders (with their structure) and exits 0 once the receiver
 * confirmed every file's SHA-256; non-zero on failure, after an `error` event a person can act on.
 */
export async function sendCommand (paths: string[], options: SendCommandOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  const network = networkOf(options)
  let target
  try {
    target = multiaddr(targetOf(options.to, network.relays))
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError(`"${options.to}" is not a valid multiaddr`, { cause: err })
  }
  const peer = await startPeer({
    dataDir: dataDirOf(options),
    downloadDir: dataDirOf(options),
    relays: network.relays,
    iceServers: network.iceServers,
    listen: options.listen,
    acceptIncoming: false
  })
  try {
    peer.transfers.on('progress', p => out.progress(p))
    peer.transfers.on('resuming', r => out.event({ event: 'resuming', transferId: r.transferId, skippedBytes: r.skippedBytes },
      `Resuming: the receiver already has ${formatBytes(r.skippedBytes)}, which will not be sent again.`))
    const dialStartedAt = Date.now()
    const result = await peer.transfers.send(target, paths, {
      signal,
      onConnected: (info) => out.event({ event: 'connected', transport: info.transport, remoteAddr: info.remoteAddr, limited: info.limited, relayed: info.relayed, candidateType: info.candidateType ?? null, candidates: info.candidates ?? null, connectMs: Date.now() - dialStartedAt },
        `Connected over ${info.transport}${info.candidateType == null ? '' : ` (${info.candidateType})`}${info.relayed ? ', relayed: a server carries the bytes' : ''}. Waiting for the receiver to accept…`),
      onRetry: (attempt, err) => out.event({ event: 'retry', attempt, message: (err as Error).message }),
      onSkipped: (skipped) => out.event({ event: 'skipped', paths: skipped }, `Skipped (not regular files): ${skipped.join(', ')}`),
      retryForMs: Number(options.retryFor ?? RESUME_RETRY_FOR_MS / 1000) * 1000,
      onInterrupted: (attempt, err) => out.event({ event: 'interrupted', attempt, message: (err as Error).message },
        `Connection lost (${(err as Error).message}); trying to reach the receiver again to resume…`)
    })
    const mibps = (result.totalBytes - (result.skippedBytes ?? 0)) / 1048576 / (Math.max(1, result.transferMs) / 1000)
    out.event({ event: 'complete', transferId: result.transferId, peerId: result.peerId, transport: result.connection.transport, totalBytes: result.totalBytes, skippedBytes: result.skippedBytes ?? 0, durationMs: result.durationMs, transferMs: result.transferMs, mibPerSec: Number(mibps.toFixed(2)), files: result.files },
      `Sent ${result.files.length} file(s), ${formatBytes(result.totalBytes)} in ${(result.transferMs / 1000).toFixed(1)} s (${mibps.toFixed(1)} MiB/s); the receiver verified every file.`)
    return 0
  } finally {
    await peer.stop()
  }
}
