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
 * The peer answered neither a liveness ping nor anything else on the connection for the ping's timeout (liveness.ts):
 * it is treated as gone and the connection is closed. `waitedMs` is how long the ping waited.
 */
export class PeerUnresponsiveError extends FerryError {
  static override name = 'PeerUnresponsiveError'
  constructor (waitedMs: number, options?: ErrorOptions) {
    super('interrupted', `The peer answered nothing for ${Math.round(waitedMs / 1000)} s`, options)
  }
}
