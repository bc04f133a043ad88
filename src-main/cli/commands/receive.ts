import { posix, resolve } from 'node:path'
import type { IncomingOffer, Peer, PortMappingStatus, RelaySummary, TransferResult } from '../../core/index.ts'
import { readDeviceFacts, resolveSettings, savedNameOf, startPeerSession } from '../../app/index.ts'
import { dataDirOf, interruptSignal, mdnsOf, networkOf, upnpOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import { formatBytes } from '../output.ts'
import { formatDuration, t } from '../../text/index.ts'
import type { MessageKey } from '../../text/index.ts'
import type { Output } from '../output.ts'
import { askToAccept, printable } from '../prompt.ts'

/** Options of `ferry receive`. */
export interface ReceiveOptions extends PeerOptions {
  out?: string
  yes?: boolean
  once?: boolean
  /** `--no-mdns` gives false: no LAN discovery, no LAN listen address by default. */
  mdns?: boolean
  /** `--no-upnp` gives false: no router port mapping. */
  upnp?: boolean
  /** Refuse offers from peers that are not contacts, unseen (default: the stored `contactsOnly` setting). */
  contactsOnly?: boolean
  /**
   * `--no-relay-for-contacts` gives false: do not relay for contacts (docs/CONNECTIVITY.md §9 "Contacts and your own
   * devices as relays").
   */
  relayForContacts?: boolean
  /**
   * `--accept-glob <glob>` (repeatable): of an offer of files, accept only those whose offered relative path matches one
   * of these globs (Node's `path.posix.matchesGlob`: `*`, `**`, `?`, `[…]`, `{a,b}`); an offer with none is declined.
   */
  acceptGlob?: string[]
}

/** The indexes of the offered files whose relative path matches one of `globs`, in offer order. */
export function filesMatching (files: ReadonlyArray<{ path: string }>, globs: readonly string[]): number[] {
  return files.flatMap((f, i) => globs.some(g => posix.matchesGlob(f.path, g)) ? [i] : [])
}

/** The lines that name each received file saved under another name than the offered one. */
function savedAsLines (r: TransferResult, downloadDir: string): string[] {
  return r.files.flatMap(f => {
    const saved = f.localPath == null ? undefined : savedNameOf({ direction: 'receive', destDir: downloadDir }, { relPath: f.path, localPath: f.localPath })
    return saved == null ? [] : [`  ${t('cli.receive.savedAs', { path: printable(f.path), saved: printable(saved) })}`]
  })
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
  const dataDir = dataDirOf(options)
  // The app's setting, unless the flag turns it on for this run.
  const contactsOnly = options.contactsOnly === true || (await resolveSettings(dataDir, {}, await readDeviceFacts(false))).contactsOnly
  const offerFields = (offer: Parameters<typeof askToAccept>[0]): Record<string, unknown> =>
    ({ transferId: offer.transferId, peerId: offer.peerId, senderName: offer.senderName ?? null, totalBytes: offer.totalBytes, files: offer.files, ...(offer.kind === 'text' ? { kind: offer.kind, text: offer.text } : {}), ...(offer.freeBytes == null ? {} : { freeBytes: offer.freeBytes }) })
  // The app layer's receive policy: trusted contacts accepted without asking, strangers rate-limited, contacts-only.
  const session = await startPeerSession({
    dataDir,
    downloadDir,
    relays: network.relays,
    iceServers: network.iceServers,
    listen: options.listen,
    mdns,
    // Ask the router to forward a port (UPnP-IGD): in the background, never delaying `ready` (an `upnp` event follows).
    portMapping: upnpOf(options.upnp),
    // Relay between this peer's contacts (never for strangers) unless `--no-relay-for-contacts`.
    relayForContacts: options.relayForContacts !== false,
    receive: {
      contactsOnly: () => contactsOnly,
      ask: async (offer, decisionSignal) => askToAccept(offer, out, AbortSignal.any([signal, decisionSignal])),
      ...(options.yes === true
        ? { acceptEvery: (offer) => out.event({ event: 'offer', ...offerFields(offer) }, t('cli.receive.accepting', { count: offer.files.length, size: formatBytes(offer.totalBytes), peerId: offer.peerId })) }
        : {}),
      onAutoAccepted: (offer, contact) => out.event({ event: 'offer', ...offerFields(offer), autoAccepted: true, because: 'trusted-contact', contact: contact.name },
        t('cli.receive.autoAccepted', { count: offer.files.length, size: formatBytes(offer.totalBytes), name: printable(contact.name) })),
      onRateLimited: (offer) => out.event({ event: 'rate-limited', transferId: offer.transferId, peerId: offer.peerId },
        t('cli.receive.rateLimited', { peerId: offer.peerId })),
      ...(options.acceptGlob != null && options.acceptGlob.length > 0 ? { choose: (offer) => chosenByGlob(offer, options.acceptGlob ?? [], out) } : {})
    }
  })
  const { peer, presence } = session
  presence?.on('change', s => out.event({ event: 'presence', peerId: s.peerId, name: s.name, online: s.online, lastSeenAt: s.lastSeenAt ?? null },
    s.online ? t('cli.receive.online', { name: printable(s.name) }) : s.lastSeenAt == null ? t('cli.receive.offline', { name: printable(s.name) }) : t('cli.receive.offlineSeen', { name: printable(s.name), time: new Date(s.lastSeenAt).toLocaleString() })))
  // From the start: a reservation on a contact relay stored earlier may be made before `ready`.
  followContactRelays(peer, out)
  let exitCode = 0
  try {
    // Without a relay (none answers yet: no internet, DNS failing) the peer still receives on the LAN; the
    // reservations are tried again in the background and their status is printed as it changes.
    const relayStatus = await peer.relays.settled(signal)
    const addrs = relayStatus === 'reserved' ? await peer.reachableAddrs({ signal }) : await peer.reachableAddrs({ signal, timeoutMs: 0 }).catch(() => directAddrs(peer))
    out.event({ event: 'ready', peerId: peer.peerId, addrs, downloadDir, relayStatus, upnp: peer.portMapping.status, ...relayErrorOf(peer) },
      [
        t('cli.receive.ready', { dir: downloadDir, peerId: peer.peerId }),
        ...(relayStatus === 'reserved' || relayStatus === 'none' ? [] : [relayStatusLine(peer, relayStatus)]),
        t('cli.receive.toSend', { command: `npx ferry send${senderFlags(options)} --to ${addrs[0] ?? t('cli.receive.address')} ${t('cli.receive.paths')}` }),
        ...(mdns ? [t('cli.receive.onLan', { command: `npx ferry send --to ${peer.peerId} ${t('cli.receive.paths')}` })] : [])
      ].join('\n'))
    followRelays(peer, relayStatus, out, senderFlags(options))
    followPortMapping(peer, out)
    const finished = new Promise<void>((resolveDone) => {
      peer.transfers.on('progress', p => { if (p.direction === 'receive') out.progress(p) })
      peer.transfers.on('complete', (r: TransferResult) => {
        if (r.direction !== 'receive') return
        out.event({ event: 'complete', transferId: r.transferId, peerId: r.peerId, transport: r.connection.transport, totalBytes: r.totalBytes, durationMs: r.durationMs, transferMs: r.transferMs, files: r.files, ...(r.kind === 'text' ? { kind: r.kind, text: r.text } : {}) },
          r.kind === 'text' ? `${t('cli.receive.textReceived', { size: formatBytes(r.totalBytes) })}\n${printable(r.text ?? '')}` : [t('cli.receive.complete', { count: r.files.length, size: formatBytes(r.totalBytes), duration: formatDuration(r.transferMs) }), ...savedAsLines(r, downloadDir)].join('\n'))
        if (options.once === true) resolveDone()
      })
      peer.transfers.on('resuming', (r) => {
        if (r.direction === 'receive') out.event({ event: 'resuming', transferId: r.transferId, peerId: r.peerId, skippedBytes: r.skippedBytes }, t('cli.receive.resuming', { peerId: r.peerId, size: formatBytes(r.skippedBytes) }))
      })
      peer.transfers.on('declined', (offer) => {
        out.event({ event: 'declined', transferId: offer.transferId, peerId: offer.peerId }, t('cli.receive.declined'))
        if (options.once === true) { exitCode = 1; resolveDone() }
      })
      peer.transfers.on('failed', (f) => {
        if (f.direction !== 'receive') return
        out.failure(f, { direction: 'receive' })
        if (options.once === true) { exitCode = 1; resolveDone() }
      })
      signal.addEventListener('abort', () => resolveDone(), { once: true })
    })
    await finished
  } finally {
    await session.stop()
  }
  return signal.aborted ? 130 : exitCode
}

/** What a relay status means for the person, in one line (`reserved` and `none` need no words): its catalog key. */
const RELAY_STATUS_TEXT: Record<Exclude<RelaySummary, 'reserved' | 'none'>, MessageKey> = {
  connecting: 'cli.relayStatus.connecting',
  offline: 'cli.relayStatus.offline',
  unreachable: 'cli.relayStatus.unreachable'
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
  if (status === 'unreachable' && failure?.code === 'relay-refused') return t('cli.relayStatus.refused', { message: failure.message })
  return t(RELAY_STATUS_TEXT[status as Exclude<RelaySummary, 'reserved' | 'none'>])
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
      out.event({ event: 'relay', relayStatus: status, addrs }, t('cli.receive.relayBack', { command: `npx ferry send${flags} --to ${addrs[0] ?? t('cli.receive.address')} ${t('cli.receive.paths')}` }))
    }, () => {})
  })
}

/**
 * Prints a `contact-relay` event each time the reservation on a contact that relays for this peer changes state:
 * `{ event: 'contact-relay', peerId, name, relay, state, problem }` — with "Reachable through Carol's Ferry." once
 * `reserved` (docs/CONNECTIVITY.md §9).
 */
function followContactRelays (peer: Peer, out: Output): void {
  const states = new Map<string, string>()
  peer.contactRelays.on('change', (relays) => {
    for (const r of relays) {
      if (states.get(r.relay) === r.state) continue
      states.set(r.relay, r.state)
      out.event({ event: 'contact-relay', peerId: r.peerId, name: r.name, relay: r.relay, state: r.state, problem: r.problem ?? null },
        r.state === 'reserved' ? t('cli.reachableThrough', { name: printable(r.name) }) : undefined)
    }
  })
}

/** What each port-mapping status means for the person, in one line (`searching` is not printed): its catalog key. */
const UPNP_STATUS_TEXT: Record<Exclude<PortMappingStatus, 'searching'>, MessageKey> = {
  mapped: 'cli.upnp.mapped',
  'no-gateway': 'cli.upnp.noGateway',
  failed: 'cli.upnp.failed',
  off: 'cli.upnp.off'
}

/**
 * Prints an `upnp` event each time the router port mapping's status changes after `ready`: `{ event: 'upnp', upnp,
 * protocol?, problem?, addrs, directAddrs }` (`protocol`: `upnp` or `nat-pmp`, the protocol the router mapped with;
 * `addrs`: the mapped public addresses, `/ip4/…/tcp/…/p2p/<peer ID>`; `directAddrs`: every direct address the node
 * announces now, the mapped ones included).
 */
function followPortMapping (peer: Peer, out: Output): void {
  let last = peer.portMapping.status
  peer.portMapping.on('change', () => {
    const { status, problem, protocol } = peer.portMapping
    const before = last
    last = status
    // `off` comes when the peer stops; it is worth a line only when a port was mapped (its removal).
    if (status === 'searching' || (status === 'off' && before !== 'mapped')) return
    const addrs = peer.portMapping.addrs.map(a => `${a}/p2p/${peer.peerId}`)
    out.event({ event: 'upnp', upnp: status, ...(protocol == null ? {} : { protocol }), ...(problem == null ? {} : { problem }), addrs, directAddrs: directAddrs(peer) },
      addrs[0] == null ? t(UPNP_STATUS_TEXT[status]) : t('cli.upnp.fromAnywhere', { status: t(UPNP_STATUS_TEXT[status]), command: `npx ferry send --to ${addrs[0]} ${t('cli.receive.paths')}` }))
  })
}

/** `--accept-glob`: the offered files to accept (undefined: all match), with an `accept-subset` event saying which. */
function chosenByGlob (offer: IncomingOffer, globs: readonly string[], out: Output): number[] | undefined {
  const files = filesMatching(offer.files, globs)
  if (files.length === offer.files.length) return undefined
  out.event({ event: 'accept-subset', transferId: offer.transferId, files, paths: files.map(i => offer.files[i]?.path) },
    files.length === 0 ? t('cli.receive.noneMatch', { count: offer.files.length }) : t('cli.receive.acceptingSome', { accepted: files.length, count: offer.files.length }))
  return files
}
