import { resolve } from 'node:path'
import { startPeer } from '../../core/index.ts'
import type { Peer, RelaySummary } from '../../core/index.ts'
import type { IncomingOffer, OfferDecision, TransferResult } from '../../core/index.ts'
import { PresenceTracker, trustPolicy } from '../../core/contacts/index.ts'
import type { DecideFn } from '../../core/contacts/index.ts'
import { dataDirOf, interruptSignal, mdnsOf, networkOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import { formatBytes } from '../output.ts'
import { formatDuration } from '../../text/index.ts'
import type { Output } from '../output.ts'
import { askToAccept, printable } from '../prompt.ts'

/** Options of `ferry receive`. */
export interface ReceiveOptions extends PeerOptions {
  out?: string
  yes?: boolean
  once?: boolean
  /** `--no-mdns` gives false: no LAN discovery, no LAN listen address by default. */
  mdns?: boolean
  /** `--no-relay-for-contacts` gives false: do not relay for contacts (docs/CONNECTIVITY.md, "Contacts as relays"). */
  relayForContacts?: boolean
}

/**
 * `ferry receive`: reserves a slot on the relay(s), prints the address to send to, and receives transfers into
 * `--out` (default: the current folder) — asking before each unless `--yes`. With `--once` it exits after one
 * transfer: 0 if it completed, 1 otherwise (declined, failed, interrupted).
 */
export async function receiveCommand (options: ReceiveOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  const network = networkOf(options)
  const downloadDir = resolve(options.out ?? '.')
  const mdns = mdnsOf(options.mdns)
  // Set once the store is open: trusted contacts accepted without asking, strangers rate-limited (contacts module).
  const trust: { policy?: DecideFn } = {}
  const peer = await startPeer({
    dataDir: dataDirOf(options),
    downloadDir,
    relays: network.relays,
    iceServers: network.iceServers,
    // With LAN discovery, listen on every interface so LAN peers that find this one by mDNS can dial it over TCP.
    listen: options.listen ?? (mdns ? ['/ip4/0.0.0.0/tcp/0'] : undefined),
    discovery: { mdns },
    relayForContacts: options.relayForContacts !== false,
    decide: async (offer: IncomingOffer, decisionSignal: AbortSignal): Promise<OfferDecision> => {
      if (options.yes === true) {
        out.event({ event: 'offer', transferId: offer.transferId, peerId: offer.peerId, senderName: offer.senderName ?? null, totalBytes: offer.totalBytes, files: offer.files },
          `Accepting ${offer.files.length} file(s), ${formatBytes(offer.totalBytes)} from ${offer.peerId}`)
        return { accept: true }
      }
      if (trust.policy == null) return { accept: false, code: 'busy', reason: 'Starting up; try again' }
      return trust.policy(offer, decisionSignal)
    }
  })
  trust.policy = trustPolicy({
    store: peer.store,
    ask: async (offer, decisionSignal) => askToAccept(offer, out, AbortSignal.any([signal, decisionSignal])),
    onAutoAccepted: (offer, contact) => out.event({ event: 'offer', transferId: offer.transferId, peerId: offer.peerId, senderName: offer.senderName ?? null, totalBytes: offer.totalBytes, files: offer.files, autoAccepted: true, because: 'trusted-contact', contact: contact.name },
      `Accepting ${offer.files.length} file(s), ${formatBytes(offer.totalBytes)} from ${printable(contact.name)} without asking: auto-accepted because the contact is trusted.`),
    onRateLimited: (offer) => out.event({ event: 'rate-limited', transferId: offer.transferId, peerId: offer.peerId },
      `Refused an offer from ${offer.peerId} unseen: too many offers from peers that are not contacts.`)
  })
  const presence = new PresenceTracker({ node: peer.node, store: peer.store, lan: peer.lan })
  presence.on('change', s => out.event({ event: 'presence', peerId: s.peerId, name: s.name, online: s.online, lastSeenAt: s.lastSeenAt ?? null },
    `${printable(s.name)} is ${s.online ? 'online' : `offline${s.lastSeenAt == null ? '' : ` (last seen ${new Date(s.lastSeenAt).toLocaleString()})`}`}`))
  presence.start()
  // A contact relaying for this peer: one event each time its reservation's state changes.
  const contactRelayStates = new Map<string, string>()
  peer.contactRelays.on('change', (states) => {
    for (const r of states) {
      if (contactRelayStates.get(r.relay) === r.state) continue
      contactRelayStates.set(r.relay, r.state)
      out.event({ event: 'contact-relay', peerId: r.peerId, name: r.name, relay: r.relay, state: r.state, problem: r.problem ?? null },
        r.state === 'reserved' ? `Reachable through ${printable(r.name)}'s Ferry.` : undefined)
    }
  })
  let exitCode = 0
  try {
    // Without a relay (none answers yet: no internet, DNS failing) the peer still receives on the LAN; the
    // reservations are tried again in the background and their status is printed as it changes.
    const relayStatus = await peer.relays.settled(signal)
    const addrs = relayStatus === 'reserved' ? await peer.reachableAddrs({ signal }) : await peer.reachableAddrs({ signal, timeoutMs: 0 }).catch(() => directAddrs(peer))
    out.event({ event: 'ready', peerId: peer.peerId, addrs, downloadDir, relayStatus, ...relayErrorOf(peer) },
      `Ready to receive into ${downloadDir}\nYour peer ID: ${peer.peerId}\n${relayStatus === 'reserved' || relayStatus === 'none' ? '' : `${relayStatusLine(peer, relayStatus)}\n`}To send to you, run:\n  npx ferry send${senderFlags(options)} --to ${addrs[0] ?? '<address>'} <files or folders>${mdns ? `\nOn this LAN (or as a contact): npx ferry send --to ${peer.peerId} <files or folders>` : ''}`)
    followRelays(peer, relayStatus, out, senderFlags(options))
    const finished = new Promise<void>((resolveDone) => {
      peer.transfers.on('progress', p => { if (p.direction === 'receive') out.progress(p) })
      peer.transfers.on('complete', (r: TransferResult) => {
        if (r.direction !== 'receive') return
        out.event({ event: 'complete', transferId: r.transferId, peerId: r.peerId, transport: r.connection.transport, totalBytes: r.totalBytes, durationMs: r.durationMs, transferMs: r.transferMs, files: r.files },
          `Received ${r.files.length} file(s), ${formatBytes(r.totalBytes)} in ${formatDuration(r.transferMs)}, all verified (SHA-256).`)
        if (options.once === true) resolveDone()
      })
      peer.transfers.on('resuming', (r) => {
        if (r.direction === 'receive') out.event({ event: 'resuming', transferId: r.transferId, peerId: r.peerId, skippedBytes: r.skippedBytes }, `Resuming a transfer from ${r.peerId}: ${formatBytes(r.skippedBytes)} already here.`)
      })
      peer.transfers.on('declined', (offer) => {
        out.event({ event: 'declined', transferId: offer.transferId, peerId: offer.peerId }, 'Declined.')
        if (options.once === true) { exitCode = 1; resolveDone() }
      })
      peer.transfers.on('failed', (f) => {
        if (f.direction !== 'receive') return
        out.error(f.code, f.message)
        if (options.once === true) { exitCode = 1; resolveDone() }
      })
      signal.addEventListener('abort', () => resolveDone(), { once: true })
    })
    await finished
  } finally {
    await presence.stop()
    await peer.stop()
  }
  return signal.aborted ? 130 : exitCode
}

/** What a relay status means for the person, in one line (`reserved` and `none` need no words). */
const RELAY_STATUS_TEXT: Record<Exclude<RelaySummary, 'reserved' | 'none'>, string> = {
  connecting: 'Connecting to the relay…',
  offline: 'No internet connection: nearby devices only (the relay is tried again in the background).',
  unreachable: 'Relay unreachable, retrying: nearby devices can still send to you.'
}

/**
 * The network flags this receiver was started with, for the sender's command line it prints (` --relay … --ice-servers
 * …`): the sender then uses the same relays and ICE servers.
 */
function senderFlags (options: PeerOptions): string {
  const relays = (options.relay ?? []).map(r => ` --relay ${r}`).join('')
  return `${relays}${options.iceServers == null ? '' : ` --ice-servers ${options.iceServers}`}`
}

/** The relays' typed failure as event fields: `relayError: { code, reason?, relay?, message }` (none when reserved). */
function relayErrorOf (peer: Peer): { relayError?: { code: string, reason?: string, relay?: string, message: string } } {
  const failure = peer.relays.failure
  if (failure == null) return {}
  const { code, message } = failure
  return { relayError: { code, message, ...('reason' in failure ? { reason: failure.reason, relay: failure.relay } : {}) } }
}

/** The status line for a relay summary other than `reserved`/`none`: a refusal says why, in the relay error's words. */
function relayStatusLine (peer: Peer, status: RelaySummary): string {
  const failure = peer.relays.failure
  if (status === 'unreachable' && failure?.code === 'relay-refused') return `${failure.message} Retrying in the background; nearby devices can still send to you.`
  return RELAY_STATUS_TEXT[status as Exclude<RelaySummary, 'reserved' | 'none'>]
}

/** The peer's direct (non-relayed) listen addresses. */
function directAddrs (peer: Peer): string[] {
  return peer.node.getMultiaddrs().map(String).filter(a => !a.includes('/p2p-circuit'))
}

/**
 * Prints a `relay` event each time the relays' summary changes after `ready` — and, once a reservation is made, the
 * relayed address to send to.
 */
function followRelays (peer: Peer, initial: RelaySummary, out: Output, flags: string): void {
  let last = initial
  peer.relays.on('change', () => {
    const status = peer.relays.summary
    if (status === last || status === 'connecting') return
    last = status
    if (status !== 'reserved') {
      out.event({ event: 'relay', relayStatus: status, ...relayErrorOf(peer) }, relayStatusLine(peer, status))
      return
    }
    void peer.reachableAddrs().then(addrs => {
      out.event({ event: 'relay', relayStatus: status, addrs }, `Reachable through the relay again. To send to you, run:\n  npx ferry send${flags} --to ${addrs[0] ?? '<address>'} <files or folders>`)
    }, () => {})
  })
}
