/**
 * NAT-PMP as the fallback of a UPnP-IGD gateway search: while the search runs, the default gateway is asked for its
 * external address by NAT-PMP (RFC 6886 §3.2); when the search ends with no UPnP-IGD gateway and the default gateway
 * answered, the search yields it as a NAT-PMP gateway ({@link NatPmpGateway}), which `@libp2p/upnp-nat` then maps a
 * port on, renews and removes like any other.
 */
import { logger } from '../../log/index.ts'
import { defaultGatewayIPv4 } from './default-gateway.ts'
import { openNatPmpGateway } from './gateway.ts'
import type { Gateway, NatPmpGateway } from './gateway.ts'

const log = logger('nat-pmp')

/** Options of {@link withNatPmpFallback}. */
export interface NatPmpFallbackInit {
  /** Where NAT-PMP requests go (default: {@link defaultGatewayIPv4}); undefined: NAT-PMP is not tried. */
  findGateway?: () => Promise<string | undefined>
}

type FindGateways = (options?: { signal?: AbortSignal }) => AsyncGenerator<Gateway, void, unknown>

/**
 * Wraps a gateway search (`findGateways` of `@libp2p/upnp-nat`'s client) so that it yields a NAT-PMP gateway when it
 * found no UPnP-IGD one. The NAT-PMP gateway found is kept and yielded again by later searches (the module ignores a
 * gateway it already has), and closed by the module's `stop` once it was yielded; a probe not yielded is closed here.
 */
export function withNatPmpFallback (findGateways: FindGateways, init: NatPmpFallbackInit = {}): FindGateways {
  const findGateway = init.findGateway ?? defaultGatewayIPv4
  let current: NatPmpGateway | undefined
  const probe = async (signal?: AbortSignal): Promise<NatPmpGateway | undefined> => {
    if (current != null) return current
    const host = await findGateway()
    if (host == null) {
      log('no default IPv4 gateway known: NAT-PMP not tried')
      return undefined
    }
    let gateway: NatPmpGateway | undefined
    try {
      gateway = await openNatPmpGateway(host)
      await gateway.externalIp({ signal })
      log('NAT-PMP gateway at %s answered', host)
      return gateway
    } catch (err) {
      log('no NAT-PMP answer from %s: %s', host, (err as Error).message)
      gateway?.close()
      return undefined
    }
  }
  return async function* (options) {
    const pmp = probe(options?.signal)
    let upnpFound = false
    let yielded: NatPmpGateway | undefined
    try {
      for await (const gateway of findGateways(options)) {
        upnpFound = true
        yield gateway
      }
      const gateway = await pmp
      if (!upnpFound && gateway != null) {
        current = gateway
        yielded = gateway
        yield gateway
      }
    } finally {
      void pmp.then(gateway => { if (gateway != null && gateway !== yielded && gateway !== current) gateway.close() })
    }
  }
}
