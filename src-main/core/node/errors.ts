import { FerryError } from '../errors/index.ts'

/** The peer could not be reached: every dial attempt failed. */
export class DialError extends FerryError {
  static override name = 'DialError'
  constructor (message: string, options?: ErrorOptions) {
    super('peer-unreachable', message, options)
  }
}

/** No relay reservation could be made, so peers behind NATs cannot reach this one. */
export class NoRelayError extends FerryError {
  static override name = 'NoRelayError'
  constructor (message: string, options?: ErrorOptions) {
    super('no-relay', message, options)
  }
}

/** The connection that came up is limited (a relayed circuit), and file bytes never flow over one. */
export class LimitedConnectionError extends FerryError {
  static override name = 'LimitedConnectionError'
  constructor (message: string) {
    super('limited-connection', message)
  }
}

/**
 * A WebRTC dial attempt's peer connection failed or closed before the connection was up (ICE or DTLS handshake);
 * `dialDirect` retries it. `state` is the peer connection's or the DataChannel's last state.
 */
export class HandshakeFailedError extends FerryError {
  static override name = 'HandshakeFailedError'
  constructor (state: string) {
    super('peer-unreachable', `The WebRTC peer connection ${state === 'failed' ? 'failed' : 'closed'} during the handshake (ICE or DTLS)`)
  }
}

/**
 * A WebRTC dial from a host whose only network interface is loopback: libjuice (node-datachannel's ICE agent) gathers
 * no loopback ICE candidates, so no attempt could ever connect (docs/CONNECTIVITY.md, "Without a relay").
 */
export class NoNetworkInterfaceError extends FerryError {
  static override name = 'NoNetworkInterfaceError'
  constructor () {
    super('no-network', 'This device has no network connection (only loopback), and WebRTC needs one: connect to a network, or send over a direct TCP address')
  }
}

/**
 * Why a relay refused a reservation: the circuit-relay-v2 status it answered (libp2p circuit-relay-v2 spec, "Status
 * codes"), in kebab-case. Ferry's own relay answers `reservation-refused` when all its slots are taken and
 * `permission-denied` when peers from the same network address already hold as many as it allows.
 */
export type RelayRefusalReason = 'reservation-refused' | 'permission-denied' | 'resource-limit-exceeded' | 'other'

const REFUSAL_WORDS: Record<RelayRefusalReason, string> = {
  'reservation-refused': 'it is full',
  'permission-denied': 'it allows no more reservations from your network address, or does not serve this device',
  'resource-limit-exceeded': 'it is out of resources',
  other: 'it gave no usable answer'
}

/**
 * A relay answered the reservation request with a refusal, so peers cannot reach this one through it (it may be full,
 * limit reservations per network address, or refuse this peer). `relay` is the relay's multiaddr.
 */
export class RelayRefusedError extends FerryError {
  static override name = 'RelayRefusedError'
  readonly reason: RelayRefusalReason
  readonly relay: string
  constructor (relay: string, reason: RelayRefusalReason, options?: ErrorOptions) {
    super('relay-refused', `The relay ${relay} refused to reserve a slot for this device: ${REFUSAL_WORDS[reason]}. Other devices cannot reach this one through it; try again in a few minutes, or use another relay.`, options)
    this.reason = reason
    this.relay = relay
  }
}

/**
 * The peer answered neither a liveness ping nor anything else on the connection for the ping's timeout (liveness.ts):
 * it is treated as gone and the connection is closed. `waitedMs` is how long the ping waited.
 */
export class PeerUnresponsiveError extends FerryError {
  static override name = 'PeerUnresponsiveError'
  constructor (waitedMs: number, options?: ErrorOptions) {
    super('interrupted', `The peer answered nothing for ${Math.round(waitedMs / 1000)} s`, options)
  }
}
