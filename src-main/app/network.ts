/**
 * "Check network" (`checkNetwork`) and `ferry doctor`: the core's network check on the relays and ICE servers this
 * app uses, with the one table of words that says what each finding means for reaching people.
 */
import { checkNetwork } from '../core/index.ts'
import type { NetworkReport, Reach, RelayCheck, UpnpCheck } from '../core/index.ts'
import type { PortMapping } from '../core/node/index.ts'
import type { NetworkCheckView } from '../api/index.ts'
import type { AppState } from './app.ts'

/** What each {@link Reach} means for reaching people: the headline of the check. */
export const REACH_WORDS: Readonly<Record<Reach, string>> = {
  public: 'Direct connections work: this device has a public address, so people can reach it directly.',
  direct: 'Direct connections work with most people.',
  'direct-likely': 'UDP gets out, so direct connections work with many people (a second STUN server on another address would tell the NAT\'s behaviour).',
  symmetric: 'Behind a symmetric NAT: people behind another such NAT are reached through TURN or a relay only.',
  'udp-blocked': 'UDP is blocked: only TCP through relays works (and devices on this network).',
  offline: 'Nothing on the internet answered (no relay, no STUN server): only nearby devices can be reached.',
  unknown: 'Not enough to tell: no STUN server is configured.'
}

const RELAY_PROBLEM_WORDS: Readonly<Record<string, string>> = {
  offline: 'no route to it',
  'dns-failed': 'its name could not be looked up',
  unreachable: 'nothing answered',
  refused: 'it refused the reservation',
  timeout: 'no answer in time'
}

const STUN_PROBLEM_WORDS: Readonly<Record<string, string>> = {
  'dns-failed': 'its name could not be looked up',
  'no-answer': 'no answer',
  unreachable: 'no route to it',
  'bad-answer': 'an answer without an address',
  'not-ipv4': 'not asked (IPv6 only)'
}

function relayLine (r: RelayCheck): string {
  if (r.answered) {
    const timing = [r.reserveMs == null ? '' : `connected in ${r.reserveMs} ms`, r.pingMs == null ? '' : `ping ${r.pingMs} ms`].filter(s => s !== '').join(', ')
    const reservation = r.reservation === 'granted' ? 'reservation granted' : `reservation refused${r.reason == null ? '' : ` (${r.reason})`}`
    return `Relay ${r.relay}: answers (${timing}); ${reservation}.`
  }
  return `Relay ${r.relay}: does not answer (${RELAY_PROBLEM_WORDS[r.problem ?? 'unreachable'] ?? r.problem}).`
}

/** What each port-mapping status means, one line (`%s`: the external address). */
const UPNP_WORDS: Readonly<Record<NetworkReport['upnp']['status'], string>> = {
  mapped: 'UPnP: port mapped by your router (%s): others can connect directly.',
  searching: 'UPnP: looking for a router that maps ports…',
  'no-gateway': 'UPnP: no router answered (no port mapped).',
  failed: 'UPnP: the router answered but mapped no port.',
  'not-enabled': 'UPnP: no port mapping here (turned off, or nothing running maps one: ferry doctor does not).'
}

/** The running peer's port mapping as the check reports it (`externalAddress` as `<ip>:<port>`). */
function upnpCheckOf (mapping: PortMapping): UpnpCheck {
  if (mapping.status === 'off') return { status: 'not-enabled' }
  const addr = mapping.addrs[0]?.split('/')
  return { status: mapping.status, ...(mapping.status === 'mapped' && addr != null ? { externalAddress: `${addr[2] ?? '?'}:${addr[4] ?? '?'}` } : {}) }
}

/** The report's findings as lines for people: one per relay, then UDP, the NAT's mapping, UPnP. */
export function describeNetwork (report: NetworkReport): { headline: string, details: string[] } {
  const answered = report.stun.filter(s => s.mapped != null)
  const udp = report.udp === 'works'
    ? `UDP: gets out (${answered.map(s => `${s.server} answered in ${s.rttMs ?? '?'} ms`).join('; ')}).`
    : report.udp === 'blocked'
      ? `UDP: blocked — no STUN server answered (${report.stun.map(s => `${s.server}: ${STUN_PROBLEM_WORDS[s.problem ?? 'no-answer'] ?? s.problem}`).join('; ')}).`
      : 'UDP: not checked (no STUN server is configured).'
  const nat = {
    'no-nat': `NAT: none — the STUN servers saw this device's own address (${report.publicAddress ?? '?'}).`,
    'endpoint-independent': `NAT: endpoint-independent mapping — every destination sees the same public address (${report.publicAddress ?? '?'}).`,
    'endpoint-dependent': `NAT: endpoint-dependent mapping (symmetric) — each destination sees another public port (${answered.map(s => s.mapped).join(', ')}).`,
    unknown: report.udp === 'works'
      ? `NAT: mapping unknown — telling it needs two STUN servers on different addresses (public address ${report.publicAddress ?? '?'}).`
      : 'NAT: mapping unknown.'
  }[report.mapping]
  const upnp = UPNP_WORDS[report.upnp.status].replace('%s', report.upnp.externalAddress ?? '?')
  const relays = report.relays.length === 0 ? ['Relays: none configured.'] : report.relays.map(relayLine)
  return { headline: REACH_WORDS[report.reach], details: [...relays, udp, nat, upnp] }
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
