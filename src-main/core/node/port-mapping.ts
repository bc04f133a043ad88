/**
 * Port mapping on the home router (UPnP Internet Gateway Device, or NAT-PMP when no IGD answers), with the libp2p
 * ecosystem's module
 * `@libp2p/upnp-nat`: it searches the LAN for a gateway by SSDP, asks it (SOAP `AddAnyPortMapping`, IGD v2) to forward
 * an external TCP port to this peer's TCP listener, refreshes the lease, and deletes the mapping when the node stops.
 * The mapped address (`/ip4/<router's external IP>/tcp/<port>`) joins the node's addresses, so identify announces it
 * to every peer and contacts store it as a direct TCP address. docs/CONNECTIVITY.md ("Port mapping") gives the
 * sources and what it means for reachability. When the search finds no IGD, the default gateway is asked by NAT-PMP
 * (RFC 6886, ./nat-pmp/): a gateway that answers is handed to the module like an IGD, which then maps, refreshes and
 * deletes through it the same way.
 *
 * This file adds what the module does not tell: a typed status ({@link PortMappingStatus}) followed from the module's
 * own calls to its port-mapping client (gateway found or not, external address, mapping made or refused).
 */
import { EventEmitter } from 'node:events'
import { uPnPNAT } from '@libp2p/upnp-nat'
import type { UPnPNAT, UPnPNATClient, UPnPNATComponents } from '@libp2p/upnp-nat'
import { logger } from '../log/index.ts'
import { NatPmpError, NatPmpGateway, withNatPmpFallback } from './nat-pmp/index.ts'
import type { NatPmpFallbackInit } from './nat-pmp/index.ts'

const log = logger('upnp')

/**
 * Where port mapping stands:
 * - `off`: not asked for (setting or flag), or the node stopped;
 * - `searching`: looking for a gateway (SSDP M-SEARCH) for the first time;
 * - `mapped`: the router forwards a public port to this peer ({@link PortMapping.addrs});
 * - `no-gateway`: no UPnP-IGD v2 gateway answered, nor the default gateway by NAT-PMP (the search is repeated every
 *   {@link GATEWAY_SEARCH_INTERVAL_MS});
 * - `failed`: a gateway answered but no port could be mapped ({@link PortMapping.problem} says why).
 */
export type PortMappingStatus = 'off' | 'searching' | 'mapped' | 'no-gateway' | 'failed'

/**
 * Why a gateway that answered mapped no port: `no-external-address` (it did not say its external address),
 * `double-nat` (its external address is itself private or reserved: another NAT sits between it and the internet, so
 * a mapping would not make this peer reachable), `refused` (it refused `AddAnyPortMapping`, or the NAT-PMP mapping request).
 */
export type PortMappingProblem = 'no-external-address' | 'double-nat' | 'refused'

/** Which protocol the gateway speaks: UPnP-IGD (SOAP over HTTP) or NAT-PMP (RFC 6886, UDP port 5351). */
export type PortMappingProtocol = 'upnp' | 'nat-pmp'

/** Events of {@link PortMapping}: `change` after every change of status or of the mapped addresses. */
export interface PortMappingEvents {
  change: []
}

/**
 * How long one gateway search lasts, in ms (an SSDP M-SEARCH is sent every {@link SEARCH_MESSAGE_INTERVAL_MS} during
 * it). The module's default; gateways answer within a few hundred ms on a LAN.
 */
const GATEWAY_SEARCH_TIMEOUT_MS = 5_000
/**
 * Pause between gateway searches while none was found, in ms. The module's default (5 s) would multicast an M-SEARCH
 * every second for as long as Ferry runs on a network without UPnP; once a minute is enough to notice a router that
 * comes up later. (Once a gateway is found the module searches every 5 minutes.)
 */
const GATEWAY_SEARCH_INTERVAL_MS = 60_000
/** Interval between SSDP M-SEARCH messages during a search, in ms (the module's default). */
const SEARCH_MESSAGE_INTERVAL_MS = 1_000
/** The description routers show beside the mapping (e.g. in their "UPnP" page). */
const PORT_MAPPING_DESCRIPTION = 'Ferry'

type Gateway = UPnPNATClient extends { findGateways: (...args: never[]) => AsyncGenerator<infer G> } ? G : never

/** The port mapping of one node: its status, and the mapped addresses once the router made them. */
export class PortMapping extends EventEmitter<PortMappingEvents> {
  private state: PortMappingStatus
  private why: PortMappingProblem | undefined
  private readonly mapped = new Map<string, string>()
  private stopped = false
  private via: PortMappingProtocol | undefined
  private readonly natPmp: NatPmpFallbackInit | false

  /**
   * @param enabled whether the node maps a port at all
   * @param natPmp the NAT-PMP fallback's options ({@link service} only; `false`: UPnP-IGD alone)
   */
  constructor (enabled: boolean, natPmp: NatPmpFallbackInit | false = {}) {
    super()
    this.natPmp = natPmp
    this.state = enabled ? 'searching' : 'off'
  }

  /** The protocol of the gateway that mapped the port, when the status is `mapped`. */
  get protocol (): PortMappingProtocol | undefined {
    return this.state === 'mapped' ? this.via : undefined
  }

  /** The status now. */
  get status (): PortMappingStatus {
    return this.state
  }

  /** Why no port was mapped, when the status is `failed`. */
  get problem (): PortMappingProblem | undefined {
    return this.state === 'failed' ? this.why : undefined
  }

  /** The mapped public addresses, `/ip4/<external IP>/tcp/<external port>` (empty unless `mapped`). */
  get addrs (): string[] {
    return [...this.mapped.values()]
  }

  /** The node stopped: the module deleted its mappings on the router (see the module comment). */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    this.mapped.clear()
    this.set('off')
  }

  /**
   * The libp2p service factory of the module, set up for Ferry, whose port-mapping client this tracker follows.
   * `autoConfirmAddress`: the mapped address is announced at once — the router itself reported it — instead of waiting
   * for AutoNAT peers (which Ferry does not run) to dial it back.
   */
  service (): (components: UPnPNATComponents) => UPnPNAT {
    const factory = uPnPNAT({
      portMappingDescription: PORT_MAPPING_DESCRIPTION,
      autoConfirmAddress: true,
      initialGatewaySearchInterval: GATEWAY_SEARCH_INTERVAL_MS,
      initialGatewaySearchTimeout: GATEWAY_SEARCH_TIMEOUT_MS,
      initialGatewaySearchMessageInterval: SEARCH_MESSAGE_INTERVAL_MS
    })
    return (components) => {
      const service = factory(components)
      const client = service.portMappingClient
      if (this.natPmp !== false) client.findGateways = withNatPmpFallback(client.findGateways.bind(client), this.natPmp)
      this.follow(client)
      return service
    }
  }

  /**
   * Follows `client`: wraps, on this instance only, the calls the module makes (gateway search, external address,
   * mapping) to learn their outcome. {@link service} calls it; tests drive it with a stand-in client.
   */
  follow (client: UPnPNATClient): void {
    const findGateways = client.findGateways.bind(client)
    client.findGateways = (options) => this.search(findGateways(options))
  }

  private async* search (gateways: AsyncGenerator<Gateway>): AsyncGenerator<Gateway> {
    let found = false
    try {
      for await (const gateway of gateways) {
        found = true
        yield this.watch(gateway)
      }
    } finally {
      if (!found && this.state === 'searching' && !this.stopped) {
        log('no UPnP-IGD or NAT-PMP gateway answered within %d ms; searching again every %d ms', GATEWAY_SEARCH_TIMEOUT_MS, GATEWAY_SEARCH_INTERVAL_MS)
        this.set('no-gateway')
      }
    }
  }

  private watch (gateway: Gateway): Gateway {
    const protocol: PortMappingProtocol = gateway instanceof NatPmpGateway ? 'nat-pmp' : 'upnp'
    log('%s gateway at %s:%d', protocol === 'nat-pmp' ? 'NAT-PMP' : 'UPnP-IGD', gateway.host, gateway.port)
    const externalIp = gateway.externalIp.bind(gateway)
    const map = gateway.map.bind(gateway)
    gateway.externalIp = async (options) => {
      try {
        const ip = await externalIp(options)
        if (isReservedIPv4(ip)) this.fail('double-nat', `the gateway's external address ${ip} is private or reserved: another NAT is in the way`)
        return ip
      } catch (err) {
        this.fail('no-external-address', `the gateway did not give its external address: ${(err as Error).message}`)
        throw err
      }
    }
    gateway.map = async (internalPort, internalHost, options) => {
      try {
        const mapping = await map(internalPort, internalHost, options)
        if (this.stopped) return mapping
        const addr = `/ip4/${mapping.externalHost}/${mapping.protocol.toLowerCase()}/${mapping.externalPort}`
        log('mapped %s:%d to %s', internalHost, internalPort, addr)
        this.mapped.set(`${internalHost}:${internalPort}/${mapping.protocol}`, addr)
        this.via = protocol
        // Told after the module added the address to the node's (it does so right after this call resolves), so a
        // `change` listener finds it in `getMultiaddrs()`.
        setImmediate(() => { if (!this.stopped) this.set('mapped') })
        return mapping
      } catch (err) {
        // NAT-PMP maps only this host's address towards the gateway: the module's try for another interface is no failure.
        if (err instanceof NatPmpError && err.problem === 'other-interface') throw err
        this.fail('refused', `the gateway refused to map ${internalHost}:${internalPort}: ${(err as Error).message}`)
        throw err
      }
    }
    return gateway
  }

  /** A failure counts only while nothing is mapped (a refresh that fails later keeps the mapping until its lease ends). */
  private fail (problem: PortMappingProblem, message: string): void {
    log.error('port mapping failed (%s): %s', problem, message)
    if (this.stopped || this.state === 'mapped') return
    this.why = problem
    this.set('failed')
  }

  private set (status: PortMappingStatus): void {
    const changed = status !== this.state
    this.state = status
    if (changed || status === 'mapped') this.emit('change')
  }
}

/**
 * Special-purpose IPv4 ranges (RFC 6890 and its updates: private, shared, loopback, link-local, documentation,
 * benchmarking, multicast, reserved): a gateway whose external address is one of them is behind another NAT. The same
 * ranges as the module's own double-NAT check (`@libp2p/utils` `isPrivateIp`) and miniupnpd's `addr_is_reserved`.
 */
const RESERVED_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.31.196.0', 24], ['192.52.193.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['192.175.48.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]
]

function ipv4ToNumber (ip: string): number | undefined {
  const parts = ip.split('.')
  if (parts.length !== 4 || !parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

/** Whether `ip` is an IPv4 address in a special-purpose range (see {@link RESERVED_IPV4}); false for anything else. */
export function isReservedIPv4 (ip: string): boolean {
  const n = ipv4ToNumber(ip)
  if (n == null) return false
  return RESERVED_IPV4.some(([base, bits]) => {
    const size = 2 ** (32 - bits)
    const start = ipv4ToNumber(base) ?? 0
    return n >= start && n < start + size
  })
}

const trackers = new WeakMap<object, PortMapping>()

/** Links a node made by `createNode` to its tracker (it stops with the node). */
export function bindPortMapping (node: { addEventListener: (type: 'stop', listener: () => void) => void }, tracker: PortMapping): void {
  trackers.set(node, tracker)
  node.addEventListener('stop', () => tracker.stop())
}

/**
 * The port mapping of a node made by `createNode` (status `off` unless `NodeInit.portMapping` was set).
 * @throws {TypeError} for a node not made by `createNode`
 */
export function portMappingOf (node: object): PortMapping {
  const tracker = trackers.get(node)
  if (tracker == null) throw new TypeError('Not a node made by createNode')
  return tracker
}
