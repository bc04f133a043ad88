import type { Connection, Stream } from '@libp2p/interface'
import { MAX_OUTBOUND_STREAMS, TRANSFER_PROTOCOL } from '../protocol/index.ts'
import { logger } from '../log/index.ts'
import { StreamClosedError } from './channel.ts'

const log = logger('transfer')

/**
 * libp2p's errors (by `name`, as libp2p identifies them) that say the request cannot be met on this connection, not
 * that the connection is dead: the peer does not speak the protocol, this side has its streams' worth open, or the
 * connection is a limited circuit.
 */
const NOT_THE_CONNECTIONS_FAULT = new Set(['UnsupportedProtocolError', 'TooManyOutboundProtocolStreamsError', 'LimitedConnectionError'])

/**
 * A transfer stream could not be opened on a connection that libp2p still listed as open: a dead connection (a WebRTC
 * peer connection that node-datachannel had already destroyed — `createDataChannel() called on destroyed peer
 * connection` — or one whose SCTP association stopped carrying data), seen before anything was offered on it. The
 * connection has been closed; dialling again gets a new one. Code `interrupted`, as any lost connection.
 */
export class StreamOpenError extends StreamClosedError {
  static override name = 'StreamOpenError'
}

/**
 * Opens a transfer stream (docs/PROTOCOL.md §2) on `conn`, bounded by `timeoutMs` and `signal`.
 *
 * @throws the error of `signal` when it aborted (a cancel or pause: not the connection's fault), libp2p's
 *   `UnsupportedProtocolError` (the peer does not speak Ferry's protocol), `TooManyOutboundProtocolStreamsError` and
 *   `LimitedConnectionError` as they are, and {@link StreamOpenError} for any other failure (a destroyed peer
 *   connection, no answer within `timeoutMs`) — the connection is closed first, since a connection that cannot open a
 *   stream would fail every later send.
 */
export async function openTransferStream (conn: Connection, timeoutMs: number, signal?: AbortSignal): Promise<Stream> {
  // The open is bounded by its own timeout: libp2p would reset the stream when a signal given here aborts later,
  // and a cancel or pause must reach the receiver as a message, not as a reset.
  const opening = signal == null ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
  try {
    return await conn.newStream(TRANSFER_PROTOCOL, { signal: opening, runOnLimitedConnection: false, maxOutboundStreams: MAX_OUTBOUND_STREAMS })
  } catch (err) {
    if (signal?.aborted === true || NOT_THE_CONNECTIONS_FAULT.has(String((err as { name?: unknown }).name))) throw err
    log.error('no transfer stream on connection %s (%s): closing it', conn.id, (err as { name?: unknown }).name)
    conn.abort(err instanceof Error ? err : new Error(String(err)))
    throw new StreamOpenError(`The connection to the peer could not open a stream, so it was closed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}
