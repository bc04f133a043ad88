/**
 * "Check network" (`checkNetwork`) and `ferry doctor`: the core's network check on the relays and ICE servers this
 * app uses, with the one table of words that says what each finding means for reaching people.
 */
import { checkNetwork } from '../core/index.ts'
import type { NetworkReport, Reach, RelayCheck, UpnpCheck } from '../core/index.ts'
import type { PortMapping } from '../core/node/index.ts'
import type { NetworkCheckView } from '../api/index.ts'
import type { AppState } from './app.ts'
import { t } from '../text/index.ts'
import type { MessageKey } from '../text/index.ts'

/** What each {@link Reach} means for reaching people: the headline of the check (catalog keys, text/locales). */
export const REACH_WORDS: Readonly<Record<Reach, MessageKey>> = {
  public: 'net.reach.public',
  direct: 'net.reach.direct',
  'direct-likely': 'net.reach.directLikely',
  symmetric: 'net.reach.symmetric',
  'udp-blocked': 'net.reach.udpBlocked',
  offline: 'net.reach.offline',
  unknown: 'net.reach.unknown'
}

const RELAY_PROBLEM_WORDS: Readonly<Record<string, MessageKey>> = {
  offline: 'net.problem.offline',
  'dns-failed': 'net.problem.dnsFailed',
  unreachable: 'net.problem.unreachable',
  refused: 'net.problem.refused',
  timeout: 'net.problem.timeout'
}

const STUN_PROBLEM_WORDS: Readonly<Record<string, MessageKey>> = {
  'dns-failed': 'net.problem.dnsFailed',
  'no-answer': 'net.problem.noAnswer',
  unreachable: 'net.problem.offline',
  'bad-answer': 'net.problem.badAnswer',
  'not-ipv4': 'net.problem.notIpv4'
}

/** The words of a problem code, or the code itself when the table has none. */
function problemWords (table: Readonly<Record<string, MessageKey>>, problem: string): string {
  const key = table[problem]
  return key == null ? problem : t(key)
}

function relayLine (r: RelayCheck): string {
  if (r.answered) {
    const timing = [r.reserveMs == null ? '' : t('net.relay.connectedIn', { ms: r.reserveMs }), r.pingMs == null ? '' : t('net.relay.ping', { ms: r.pingMs })].filter(s => s !== '').join(', ')
    const reservation = r.reservation === 'granted' ? t('net.relay.granted') : r.reason == null ? t('net.relay.refused') : t('net.relay.refusedWhy', { reason: r.reason })
    return t('net.relay.answers', { relay: r.relay, timing, reservation })
  }
  return t('net.relay.silent', { relay: r.relay, problem: problemWords(RELAY_PROBLEM_WORDS, r.problem ?? 'unreachable') })
}

/** The running peer's port mapping as the check reports it (`externalAddress` as `<ip>:<port>`). */
function upnpCheckOf (mapping: PortMapping): UpnpCheck {
  if (mapping.status === 'off') return { status: 'not-enabled' }
  const addr = mapping.addrs[0]?.split('/')
  return {
    status: mapping.status,
    ...(mapping.status === 'mapped' && addr != null ? { externalAddress: `${addr[2] ?? '?'}:${addr[4] ?? '?'}` } : {}),
    ...(mapping.protocol == null ? {} : { protocol: mapping.protocol })
  }
}

/** The report's findings as lines for people: one per relay, then UDP, the NAT's mapping, UPnP (in the language in effect). */
export function describeNetwork (report: NetworkReport): { headline: string, details: string[] } {
  const sep = t('common.listSeparator')
  const answered = report.stun.filter(s => s.mapped != null)
  const address = report.publicAddress ?? '?'
  const udp = report.udp === 'works'
    ? t('net.udp.works', { answers: answered.map(s => t('net.udp.answered', { server: s.server, ms: s.rttMs ?? '?' })).join(sep) })
    : report.udp === 'blocked'
      ? t('net.udp.blocked', { problems: report.stun.map(s => t('net.udp.problem', { server: s.server, problem: problemWords(STUN_PROBLEM_WORDS, s.problem ?? 'no-answer') })).join(sep) })
      : t('net.udp.unchecked')
  const nat = {
    'no-nat': () => t('net.nat.none', { address }),
    'endpoint-independent': () => t('net.nat.independent', { address }),
    'endpoint-dependent': () => t('net.nat.dependent', { mapped: answered.map(s => s.mapped).join(', ') }),
    unknown: () => report.udp === 'works' ? t('net.nat.unknownWithUdp', { address }) : t('net.nat.unknown')
  }[report.mapping]()
  const upnp = {
    mapped: () => t(report.upnp.protocol === 'nat-pmp' ? 'net.upnp.mappedNatPmp' : 'net.upnp.mapped', { address: report.upnp.externalAddress ?? '?' }),
    searching: () => t('net.upnp.searching'),
    'no-gateway': () => t('net.upnp.noGateway'),
    failed: () => t('net.upnp.failed'),
    'not-enabled': () => t('net.upnp.off')
  }[report.upnp.status]()
  const relays = report.relays.length === 0 ? [t('net.relays.none')] : report.relays.map(relayLine)
  return { headline: t(REACH_WORDS[report.reach]), details: [...relays, udp, nat, upnp] }
}

/** The check as the contract's view: the report with its words. */
export function networkCheckView (report: NetworkReport): NetworkCheckView {
  return { ...report, ...describeNetwork(report) }
}

const running = new WeakMap<AppState, Promise<NetworkCheckView>>()

/**
 * Runs the network check on the relays the running peer uses and the configured ICE servers (one at a time per app:
 * a second call while one runs gets the same result). Takes up to ~15 s (the relay timeout).
 *
 * @throws the abort reason when `signal` aborts
 */
export async function checkAppNetwork (app: AppState, signal: AbortSignal): Promise<NetworkCheckView> {
  const current = running.get(app)
  if (current != null) return current
  const check = checkNetwork({ relays: app.activeRelays, iceServers: app.init.iceServers, upnp: upnpCheckOf(app.peer.portMapping) }, { signal })
    .then(networkCheckView)
    .finally(() => running.delete(app))
  running.set(app, check)
  return check
}
