/**
 * Dev only (never built, never used by tests): a fake {@link FerryApi} with sample peers, transfers and an offer, so
 * the screens can be looked at without a core. Open `dev/index.html` on the vite dev server; query flags:
 * `?empty` (no peers, no transfers), `?offer[=N]` (an offer of N files from a non-contact), `?lost` (the core stops
 * answering after 3 s), `?fail` (the first snapshot fails).
 */
import QRCode from 'qrcode'
import type { EventName, Events, FerryApi, OfferView, PeerView, TransferView } from '../src/api/index.ts'
import type { PageCallName } from '../../src-main/api/index.ts'
import { PAGE_CALL_NAMES } from '../../src-main/api/constants.ts'
import { describeFailure } from '../../src-main/text/index.ts'

const flags = new URLSearchParams(location.search)
const now = Date.now()
const id = (s: string): string => `12D3KooW${s.padEnd(44, 'x').slice(0, 44)}`
const peer = (p: Partial<PeerView> & { peerId: string, name: string }): PeerView => ({
  shortId: p.peerId.slice(-8), isContact: true, trusted: false, blocked: false, online: false, nearby: false, ...p
})
const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

const peers: PeerView[] = flags.has('empty') ? [] : [
  peer({ peerId: id('Alice1'), name: 'Alice', online: true, trusted: true, nearby: true, lastSeenAt: now }),
  peer({ peerId: id('Bob2'), name: 'Bob’s laptop', lastSeenAt: now - 3 * 3600_000 }),
  peer({ peerId: id('Mallory3'), name: 'Mallory', blocked: true, lastSeenAt: now - 86_400_000 * 3 }),
  peer({ peerId: id('Nas4'), name: 'Living-room NAS', isContact: false, online: true, nearby: true }),
  peer({ peerId: id('Evil5'), name: '<img src=x onerror=alert(1)>', isContact: false, online: true, nearby: true })
]

const transfer = (n: number, t: Partial<TransferView>): TransferView => ({
  id: uuid(n), direction: 'send', peerId: id('Alice1'), peerName: 'Alice', isContact: true, state: 'completed', totalBytes: 5_242_880,
  transferredBytes: 5_242_880, fileCount: 3, createdAt: now - n * 600_000, canShowInFolder: false, running: false, canResume: false,
  canCancel: false, ...t
})
const transfers: TransferView[] = flags.has('empty') ? [] : [
  transfer(1, { state: 'transferring', totalBytes: 1_610_612_736, transferredBytes: 402_653_184, bytesPerSecond: 48_000_000, etaMs: 25_000, currentFile: 'holiday/2024/DSC_0042.NEF', transport: 'webrtc', running: true, canCancel: true, fileCount: 412 }),
  transfer(2, { direction: 'receive', state: 'completed', canShowInFolder: true, transport: 'tcp', files: [
    { index: 0, path: 'report.pdf', size: 1_048_576, state: 'verified' }, { index: 1, path: 'slides/intro.key', size: 3_145_728, state: 'verified' },
    { index: 2, path: 'slides/notes.txt', size: 1_048_576, state: 'verified' }] }),
  transfer(3, { peerId: id('Bob2'), peerName: 'Bob’s laptop', state: 'declined', transferredBytes: 0 }),
  transfer(4, { peerId: id('Bob2'), peerName: 'Bob’s laptop', state: 'interrupted', transferredBytes: 2_000_000, canResume: true, error: describeFailure({ code: 'interrupted' }, { peerName: 'Bob’s laptop', direction: 'send' }) }),
  transfer(5, { direction: 'receive', state: 'failed', transferredBytes: 1_000_000, error: describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'receive' }) }),
  // A stranger that calls itself by a contact's name: shown marked "Not a contact".
  transfer(6, { direction: 'receive', peerId: id('Evil5'), peerName: 'Alice', isContact: false })
]

const offer: OfferView = {
  transferId: uuid(99), peerId: id('Evil5'), shortId: id('Evil5').slice(-8), senderName: '<b>Definitely your bank</b>',
  isContact: false, transport: 'tcp', receivedAt: now, totalBytes: 0,
  files: Array.from({ length: Number(flags.get('offer')) || 40 }, (_, i) => ({ index: i, path: i === 0 ? '<script>alert(1)</script>.txt' : `photos/IMG_${1000 + i}.jpg`, size: 1_572_864 + i * 1000 }))
}
offer.totalBytes = offer.files.reduce((n, f) => n + f.size, 0)

type Listener = (payload: never) => void
const listeners = new Map<EventName, Set<Listener>>()
function emit<E extends EventName> (event: E, payload: Events[E]): void {
  for (const l of listeners.get(event) ?? []) (l as (p: Events[E]) => void)(payload)
}
let dead = false
if (flags.has('lost')) setTimeout(() => { dead = true }, 3000)
const ok = async <T>(v: T): Promise<T> => {
  if (dead) return await new Promise<T>(() => {})
  await new Promise(r => setTimeout(r, 120))
  return v
}

const invite = `ferry:${id('Me0')}?name=Dev%20Machine&relay=/ip4/127.0.0.1/tcp/4001/p2p/${id('Relay')}`
const qr = await QRCode.toString(invite, { type: 'svg', margin: 1 })
const identity = { peerId: id('Me0'), shortId: id('Me0').slice(-8), displayName: 'Dev Machine', deviceKind: 'laptop' as const, invite, inviteQrSvg: qr, relayStatus: 'reserved' as const, upnp: 'mapped' as const, addrs: [`/ip4/127.0.0.1/tcp/4001/p2p/${id('Relay')}/p2p-circuit/webrtc/p2p/${id('Me0')}`] }
let settings = { displayName: 'Dev Machine', displayNameIsDefault: flags.has('first-run'), deviceKind: 'laptop' as 'desktop' | 'laptop' | 'server', downloadDir: '/home/dev/Downloads/Ferry', relays: [`/ip4/127.0.0.1/tcp/4001/p2p/${id('Relay')}`], contactsOnly: false, relayForContacts: true, checkForUpdates: true, upnp: true, language: 'system' as 'system' | 'en' | 'zh-CN', uploadLimit: 0 }

// Live progress on the running transfer.
setInterval(() => {
  const t = transfers[0]
  if (t == null || t.state !== 'transferring') return
  t.transferredBytes = Math.min(t.totalBytes, t.transferredBytes + 12_000_000)
  t.etaMs = ((t.totalBytes - t.transferredBytes) / 48_000_000) * 1000
  emit('transfer', { ...t })
}, 250)

// Every page call of the contract answers `unsupported` unless the mock below gives it behaviour: a new call needs
// no entry here to build.
const unsupported = Object.fromEntries(PAGE_CALL_NAMES.map(name => [name, async () => await Promise.reject(Object.assign(new Error(`The dev mock has no ${name}`), { code: 'unsupported' }))])) as unknown as Pick<FerryApi, PageCallName>

export const mockApi: FerryApi = {
  ...unsupported,
  getSnapshot: () => flags.has('fail') ? Promise.reject(Object.assign(new Error('Could not connect to Ferry at 127.0.0.1:1234.'), { code: 'connection-failed' })) : ok({ capabilities: { host: 'electron', showInFolder: true, openFile: true, download: false, chooseDownloadDir: true, checkForUpdates: true }, identity, settings, peers, offers: flags.has('offer') ? [offer] : [], transfers, outbox: [] }),
  listHistory: r => ok(transfers.filter(t => r.peerId == null || t.peerId === r.peerId)),
  getTransfer: r => ok({ ...transfers.find(t => t.id === r.transferId)!, files: [{ index: 0, path: 'a.bin', size: 10, state: 'verified' }] }),
  addContact: async r => {
    if (!r.invite.startsWith('ferry:12D3')) throw Object.assign(new Error('bad invite'), { code: 'invalid-invite' })
    const p = peer({ peerId: id('New6'), name: r.name ?? 'New friend', online: true })
    peers.push(p); emit('peers', [...peers]); return await ok(p)
  },
  addNearby: r => { const p = peers.find(x => x.peerId === r.peerId)!; p.isContact = true; emit('peers', [...peers]); return ok(p) },
  updateContact: r => { const p = peers.find(x => x.peerId === r.peerId)!; Object.assign(p, Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))); emit('peers', peers.map(x => ({ ...x }))); return ok(p) },
  removeContact: r => { const i = peers.findIndex(x => x.peerId === r.peerId); peers.splice(i, 1); emit('peers', [...peers]); return ok({ removed: true }) },
  getFingerprint: () => ok({ fingerprint: '8080 8631 2148 4646 8222' }),
  answerOffer: r => { setTimeout(() => emit('offer-closed', { transferId: r.transferId }), 50); return ok({ ok: true as const }) },
  cancelTransfer: r => { const t = transfers.find(x => x.id === r.transferId)!; t.state = 'cancelled'; t.running = false; t.canCancel = false; emit('transfer', { ...t }); return ok({ ok: true as const }) },
  resumeTransfer: r => ok({ transferId: r.transferId }),
  sendAgain: r => ok({ transferId: r.transferId }),
  showInFolder: () => ok({ ok: true as const }),
  updateSettings: r => { settings = { ...settings, ...r, displayNameIsDefault: r.displayName == null && settings.displayNameIsDefault }; emit('settings', settings); return ok(settings) },
  chooseDownloadDir: () => ok(settings),
  checkNetwork: async () => {
    await new Promise(r => setTimeout(r, 1500))
    return await ok({
      checkedAt: Date.now(), durationMs: 1500, relays: [{ relay: settings.relays[0] ?? '', answered: true, reservation: 'granted' as const, reserveMs: 180, pingMs: 12 }],
      stunLocal: '0.0.0.0:40000', stun: [{ server: 'stun:203.0.113.1:3478', ip: '203.0.113.1', mapped: '198.51.100.7:40000', rttMs: 20 }, { server: 'stun:203.0.113.2:3478', ip: '203.0.113.2', mapped: '198.51.100.7:40000', rttMs: 22 }],
      udp: 'works' as const, mapping: 'endpoint-independent' as const, publicAddress: '198.51.100.7:40000', upnp: { status: 'not-enabled' as const }, reach: 'direct' as const,
      headline: 'Direct connections work with most people.',
      details: ['Relay …: answers (connected in 180 ms, ping 12 ms); reservation granted.', 'UDP: gets out.', 'NAT: endpoint-independent mapping.', 'UPnP: not enabled.']
    })
  },
  sendFiles: async (peerId, files) => {
    const p = peers.find(x => x.peerId === peerId)!
    const t = transfer(100 + transfers.length, { peerId, peerName: p.name, isContact: p.isContact, state: 'offered', transferredBytes: 0, fileCount: files.length, totalBytes: files.reduce((n, f) => n + f.file.size, 0), createdAt: Date.now(), running: true, canCancel: true })
    transfers.unshift(t)
    setTimeout(() => emit('transfer', { ...t }), 100)
    setTimeout(() => { t.state = 'declined'; t.running = false; t.canCancel = false; emit('transfer', { ...t }) }, 2500)
    return await ok({ transferId: t.id })
  },
  on: (event, listener) => {
    const set = listeners.get(event) ?? new Set()
    set.add(listener as Listener)
    listeners.set(event, set)
    return () => { set.delete(listener as Listener) }
  }
}
