/**
 * The NAT behaviours of the network lab, as iptables rules for a Linux router namespace, and the matrix of
 * topologies the lab test runs.
 *
 * Every router has a WAN interface `wan0` on the lab's "internet" bridge (TEST-NET-3, 203.0.113.0/24) and a LAN
 * bridge `lan0` (10.99.<site>.0/24) with its host(s). Linux NAT keeps a flow's source port when it is free
 * (endpoint-independent mapping) and conntrack admits only replies from the exact remote address and port
 * (address- and port-dependent filtering): MASQUERADE alone is a port-restricted cone NAT (RFC 4787 terms).
 */
import { iptablesIn } from './netns.ts'

/** How a site's router translates and filters. */
export type NatType =
  /** Any inbound UDP is forwarded to the host (DNAT), keeping the port: a full cone NAT. */
  | 'full-cone'
  /** MASQUERADE, and the router drops NEW inbound packets addressed to itself, as home routers do. */
  | 'port-restricted'
  /**
   * MASQUERADE with no INPUT filter: a peer's first check arrives before this side's own packet left, creates a
   * conntrack entry on the router, and NAT then picks another port for the host's flow (mapping changes).
   */
  | 'port-restricted-no-input-drop'
  /** MASQUERADE --random-fully: a new random port for every destination (symmetric NAT). */
  | 'symmetric'
  /** Port-restricted, and every UDP packet is dropped in both directions (TCP only). */
  | 'udp-blocked'

/** How the cell's data connection is expected to come up (asserted by the matrix test). */
export type ExpectedPath =
  /** Direct WebRTC (no TURN relay candidate, no relayed circuit). */
  | 'direct'
  /** Through a server: a TURN relay candidate or Ferry's relay carrying the data. */
  | 'relayed'
  /** Either: the outcome depends on a race (documented per cell). */
  | 'any'

/** One cell of the matrix. */
export interface Topology {
  name: string
  /** Both hosts on one LAN behind one router (of type `a`); otherwise one site per host. */
  sameLan?: boolean
  /** The sender's site. */
  a: NatType
  /** The receiver's site. */
  b: NatType
  expect: ExpectedPath
}

/** The matrix: every cell must connect and transfer a file. */
export const TOPOLOGIES: readonly Topology[] = [
  { name: 'same LAN', sameLan: true, a: 'port-restricted', b: 'port-restricted', expect: 'direct' },
  { name: 'full cone both sides', a: 'full-cone', b: 'full-cone', expect: 'direct' },
  { name: 'port-restricted both sides', a: 'port-restricted', b: 'port-restricted', expect: 'direct' },
  { name: 'port-restricted both, no INPUT drop', a: 'port-restricted-no-input-drop', b: 'port-restricted-no-input-drop', expect: 'any' },
  { name: 'symmetric one side', a: 'symmetric', b: 'port-restricted', expect: 'relayed' },
  { name: 'symmetric both sides', a: 'symmetric', b: 'symmetric', expect: 'relayed' },
  { name: 'UDP blocked one side', a: 'udp-blocked', b: 'port-restricted', expect: 'relayed' }
]

/**
 * Installs the rules of `nat` in router namespace `ns`, whose hosts are `hosts` (the first one receives a full cone's
 * inbound UDP).
 */
export async function configureRouter (ns: string, nat: NatType, hosts: readonly string[]): Promise<void> {
  const ipt = async (...args: string[]): Promise<void> => { await iptablesIn(ns, args) }
  // Forwarding: anything out, only replies (and DNAT-ed full-cone traffic) in.
  await ipt('-P', 'FORWARD', 'DROP')
  await ipt('-A', 'FORWARD', '-i', 'lan0', '-o', 'wan0', '-j', 'ACCEPT')
  // Host to host on the LAN bridge (br_netfilter, where loaded, passes bridged frames through FORWARD too).
  await ipt('-A', 'FORWARD', '-i', 'lan0', '-o', 'lan0', '-j', 'ACCEPT')
  await ipt('-A', 'FORWARD', '-i', 'wan0', '-o', 'lan0', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')
  const masquerade = nat === 'symmetric' ? ['-j', 'MASQUERADE', '--random-fully'] : ['-j', 'MASQUERADE']
  await ipt('-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan0', ...masquerade)
  if (nat === 'full-cone') {
    const host = hosts[0]
    if (host == null) throw new Error('a full cone router needs a host')
    await ipt('-t', 'nat', '-A', 'PREROUTING', '-i', 'wan0', '-p', 'udp', '-j', 'DNAT', '--to-destination', host)
    await ipt('-A', 'FORWARD', '-i', 'wan0', '-o', 'lan0', '-p', 'udp', '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT')
  }
  if (nat !== 'port-restricted-no-input-drop') {
    await ipt('-A', 'INPUT', '-i', 'wan0', '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'DROP')
  }
  if (nat === 'udp-blocked') {
    await ipt('-I', 'FORWARD', '1', '-p', 'udp', '-j', 'DROP')
  }
}
