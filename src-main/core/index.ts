/**
 * Ferry's core: everything except the user interfaces. It never imports Electron; the CLI, the headless server, the
 * Electron shell and the tests drive it through this surface.
 *
 * - `peer` — start a peer from a data directory (identity + store + node + transfers) and stop it
 * - `relay` — run a circuit-relay-v2 relay
 * - `transfer` — the transfer service, sender and receiver
 * - `protocol` — the wire format of `/ferry/transfer/1.0.0` (docs/PROTOCOL.md)
 * - `paths` — the path-safety rules every peer-supplied path passes
 * - `store` — SQLite persistence
 * - `contacts` — invites, fingerprints, trust policy, presence; `discovery` — peers on the LAN (mDNS)
 * - `node`, `identity`, `config`, `errors` — the libp2p node, the persistent key, defaults and error classes
 * - `netcheck` — the network check: relays, STUN (UDP out), the NAT's mapping behaviour, and what they mean
 */
export { startPeer, DATABASE_FILE } from './peer/index.ts'
export type { Peer, PeerInit } from './peer/index.ts'
export type { ConnectionInfo, PortMappingProblem, PortMappingProtocol, PortMappingStatus, RelayProblem, RelayState, RelaySummary } from './node/index.ts'
export { createRelay, DEFAULT_RELAY_LISTEN } from './relay/index.ts'
export { resolveNetwork, parseRelays, ConfigError, DEFAULT_RELAYS } from './config/index.ts'
export type { NetworkConfig } from './config/index.ts'
export { IDENTITY_FILE, loadOrCreateIdentity } from './identity/index.ts'
export { FerryError, AbortedError, errorMessage, FAILURE_REASONS, failureReasonOf } from './errors/index.ts'
export type { FailureReason, FileOperation } from './errors/index.ts'
export { logger, recentLogLines, showLogs } from './log/index.ts'
export type { Logger } from './log/index.ts'
export * from './transfer/index.ts'
export type { TransferErrorInfo, TransferRecord, TransferFileRecord } from './store/index.ts'
export { acceptedSubsetProblem, isDeviceKind } from './protocol/index.ts'
export type { DeviceKind } from './protocol/index.ts'
export * as contacts from './contacts/index.ts'
export * as discovery from './discovery/index.ts'
export { checkNetwork } from './netcheck/index.ts'
export type { NatMapping, NetworkCheckInit, NetworkReport, Reach, RelayCheck, StunCheck, UpnpCheck } from './netcheck/index.ts'
