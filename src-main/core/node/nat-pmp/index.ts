/**
 * NAT-PMP (RFC 6886) port mapping, the fallback when no UPnP-IGD gateway answers (docs/CONNECTIVITY.md §8):
 * {@link withNatPmpFallback} makes `@libp2p/upnp-nat`'s gateway search yield the default gateway
 * (read from /proc/net/route by {@link parseDefaultGateway}: Linux only) as a {@link NatPmpGateway} when it answers NAT-PMP.
 */
export { parseDefaultGateway } from './default-gateway.ts'
export { withNatPmpFallback } from './fallback.ts'
export type { NatPmpFallbackInit } from './fallback.ts'
export { NatPmpGateway, openNatPmpGateway } from './gateway.ts'
export type { Gateway } from './gateway.ts'
export { NatPmpError } from './wire.ts'
export type { MappingProtocol, NatPmpProblem } from './wire.ts'
