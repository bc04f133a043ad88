import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { FerryError, startPeer } from '../../core/index.ts'
import type { Peer } from '../../core/index.ts'
import { ConfigError } from '../../core/config/index.ts'
import { contactRelaysOf, findRoute, isDirectTcp, pathOf, resolveContact } from '../../core/contacts/index.ts'
import { RESUME_RETRY_FOR_MS } from '../../core/index.ts'
import { dataDirOf, interruptSignal, mdnsOf, networkOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import { formatBytes } from '../output.ts'
import { formatDuration } from '../../text/index.ts'
import { connectionWords } from '../words.ts'
import type { Output } from '../output.ts'

/** Options of `ferry send`. */
export interface SendCommandOptions extends PeerOptions {
  to: string
  /** Seconds to keep trying to resume after the connection drops (commander passes a string). */
  retryFor?: string
  /** `--no-mdns` gives false: do not look for the peer on the LAN. */
  mdns?: boolean
}

/**
 * The multiaddr to dial for `--to` that is a peer ID or a contact's name: on the LAN (mDNS) or at a last known direct
 * address when a TCP connection comes up, else WebRTC via the contact's relays, else via the first configured relay.
 * Prints a `route` event saying which.
 */
async function routeTo (peer: Peer, to: string, relays: string[], out: Output, signal: AbortSignal): Promise<Multiaddr> {
  const { peerId, contact } = resolveContact(peer.store, to)
  if (contact?.blocked === true) throw new FerryError('blocked', `${contact.name} (${peerId}) is blocked; unblock it with \`ferry contacts block --off\``)
  const route = await findRoute(peer.node, { peerId, contact, lan: peer.lan, relays, contactRelays: contactRelaysOf(peer.store, peerId), signal })
  out.event({ event: 'route', peerId, contact: contact?.name ?? null, via: route.via, relayContact: route.relay?.name ?? null, addr: route.addr.toString() },
    `Reaching ${contact?.name ?? peerId} ${route.via === 'relay' ? 'via its relay' : route.via === 'contact-relay' ? `through ${route.relay?.name ?? 'a contact'}'s Ferry` : route.via === 'lan' ? 'on the LAN' : 'at its last known address'}…`)
  return route.addr
}

/**
 * `ferry send --to <multiaddr> PATH…`: sends files and folders (with their structure) and exits 0 once the receiver
 * confirmed every file's SHA-256; non-zero on failure, after an `error` event a person can act on.
 */
export async function sendCommand (paths: string[], options: SendCommandOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  const network = networkOf(options)
  let target: Multiaddr | undefined
  if (options.to.startsWith('/')) {
    try {
      target = multiaddr(options.to)
    } catch (err) {
      throw new ConfigError(`"${options.to}" is not a valid multiaddr`, { cause: err })
    }
  }
  const peer = await startPeer({
    dataDir: dataDirOf(options),
    downloadDir: dataDirOf(options),
    relays: network.relays,
    iceServers: network.iceServers,
    listen: options.listen,
    acceptIncoming: false,
    // Only to find a peer ID or contact on the LAN; this peer announces nothing (it listens on no LAN address).
    discovery: { mdns: target == null && mdnsOf(options.mdns) }
  })
  try {
    peer.transfers.on('progress', p => out.progress(p))
    peer.transfers.on('resuming', r => out.event({ event: 'resuming', transferId: r.transferId, skippedBytes: r.skippedBytes },
      `Resuming: the receiver already has ${formatBytes(r.skippedBytes)}, which will not be sent again.`))
    const dialStartedAt = Date.now()
    target ??= await routeTo(peer, options.to, network.relays, out, signal)
    const peerId = target.getComponents().findLast(c => c.name === 'p2p')?.value
    const result = await peer.transfers.send(target, paths, {
      signal,
      onConnected: (info) => {
        // A contact reached: remember when, and its direct address (a TCP address we dialled is one it listens on).
        if (peerId != null) peer.store.contacts.touchSeen(peerId, Date.now(), isDirectTcp(info.remoteAddr) ? [info.remoteAddr] : [])
        const path = pathOf(info, peer.store)
        out.event({ event: 'connected', transport: info.transport, remoteAddr: info.remoteAddr, limited: info.limited, relayed: info.relayed, candidateType: info.candidateType ?? null, candidates: info.candidates ?? null, path: path.path, via: path.via ?? null, connectMs: Date.now() - dialStartedAt },
          `Connected ${path.path === 'contact-relay' ? path.text : connectionWords(info)}. Waiting for the receiver to accept…`)
      },
      onRetry: (attempt, err) => out.event({ event: 'retry', attempt, message: (err as Error).message }),
      onSkipped: (skipped) => out.event({ event: 'skipped', paths: skipped }, `Skipped (links, special files, partial-file folders): ${skipped.join(', ')}`),
      retryForMs: Number(options.retryFor ?? RESUME_RETRY_FOR_MS / 1000) * 1000,
      onInterrupted: (attempt, err) => out.event({ event: 'interrupted', attempt, message: (err as Error).message },
        `Connection lost (${(err as Error).message}); trying to reach the receiver again to resume…`)
    })
    const mibps = (result.totalBytes - (result.skippedBytes ?? 0)) / 1048576 / (Math.max(1, result.transferMs) / 1000)
    out.event({ event: 'complete', transferId: result.transferId, peerId: result.peerId, transport: result.connection.transport, totalBytes: result.totalBytes, skippedBytes: result.skippedBytes ?? 0, durationMs: result.durationMs, transferMs: result.transferMs, mibPerSec: Number(mibps.toFixed(2)), files: result.files },
      `Sent ${result.files.length} file(s), ${formatBytes(result.totalBytes)} in ${formatDuration(result.transferMs)} (${mibps.toFixed(1)} MiB/s); the receiver verified every file.`)
    return 0
  } finally {
    await peer.stop()
  }
}
