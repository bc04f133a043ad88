/**
 * The NAT's mapping behaviour from STUN answers (RFC 4787 §4.1 terms), as RFC 5780 §4.3 tells it: Binding requests
 * sent from **one** local socket to two different server IP addresses come back with the same mapped address when the
 * NAT maps endpoint-independently, and with different ones when the mapping depends on the destination ("symmetric
 * NAT"). RFC 5780's third test (same IP, another port) would tell address-dependent from address-and-port-dependent
 * mapping; both mean the same for reaching people (a peer behind such a NAT is not reached at the port STUN saw), so two
 * servers on two IPs are enough.
 */
import type { StunAnswer } from './stun-client.ts'

/**
 * - `no-nat`: the mapped address is this host's own address and socket port (no translation);
 * - `endpoint-independent`: two servers on two IPs saw the same address and port (RFC 4787 §4.1, REQ-1);
 * - `endpoint-dependent`: they saw different ones — address- or address-and-port-dependent mapping ("symmetric");
 * - `unknown`: fewer than two servers on different IPs answered (and the one that did saw a translated address).
 */
export type NatMapping = 'no-nat' | 'endpoint-independent' | 'endpoint-dependent' | 'unknown'

/**
 * Classifies the mapping from {@link StunAnswer}s all sent from the socket bound at `localPort`; `localAddresses` are
 * this host's interface addresses (an answer naming one of them with `localPort` means no NAT). Answers of servers
 * sharing an IP count once (RFC 5780 §4.3 needs two different IP addresses).
 */
export function classifyMapping (answers: readonly StunAnswer[], localPort: number, localAddresses: readonly string[]): NatMapping {
  const seen = new Set<string>()
  const distinct: StunAnswer[] = []
  for (const a of answers) {
    if (a.mapped == null || a.ip == null || seen.has(a.ip)) continue
    seen.add(a.ip)
    distinct.push(a)
  }
  if (distinct.some(a => a.mapped?.port === localPort && localAddresses.includes(a.mapped.address))) return 'no-nat'
  const [first, second] = distinct
  if (first?.mapped == null || second?.mapped == null) return 'unknown'
  const same = distinct.every(a => a.mapped?.address === first.mapped?.address && a.mapped?.port === first.mapped?.port)
  return same ? 'endpoint-independent' : 'endpoint-dependent'
}
