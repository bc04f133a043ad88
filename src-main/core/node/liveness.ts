import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { LIVENESS_ACTIVITY_WINDOW_MS, LIVENESS_PING_INTERVAL_MS, LIVENESS_PING_TIMEOUT_MS } from './constants.ts'
import { PeerUnresponsiveError } from './errors.ts'

/** libp2p's ping protocol (libp2p specs, ping/ping.md): the peer echoes every 32-byte payload. */
const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_BYTES = 32
/** circuit-relay-v2's protocols (libp2p specs, relay/circuit-v2.md): a stream of one carries a relayed connection. */
const RELAY_PROTOCOLS = new Set(['/libp2p/circuit/relay/0.2.0/hop', '/libp2p/circuit/relay/0.2.0/stop'])

/** When the remote peer last showed it is alive on each connection (see notePeerActivity), in ms since the epoch. */
const lastInput = new WeakMap<Connection, number>()

/**
 * Records that the remote peer showed just now that it is alive on `connection`: bytes from it arrived, or a send
 * buffer drained (a transport takes more only once the peer acknowledged earlier bytes) — proof of life even when its
 * answer to a liveness ping is still queued behind data. Called by the owners of busy streams (the transfer channel
 * on every message it receives and every drain); cheap (one map write).
 */
export function notePeerActivity (connection: Connection): void {
  lastInput.set(connection, Date.now())
}

/** Options of {@link watchLiveness}; the defaults are the constants of the same names. */
export interface LivenessOptions {
  /** Time between two pings of one connection, in ms. */
  intervalMs?: number
  /** Time one ping may take (stream open included), in ms. */
  timeoutMs?: number
  /** A failed ping is forgiven when the peer showed life within this many ms before the failure. */
  activityWindowMs?: number
}

/**
 * Ferry's connection monitor, in place of libp2p's (`connectionMonitor`, which this node disables): every
 * `intervalMs` it pings each open connection (libp2p ping protocol, one ping at a time per connection), and closes
 * a connection whose ping did not come back within `timeoutMs` **unless** the peer showed it is alive on that
 * connection within the last `activityWindowMs` (it sent bytes, or acknowledged ours: {@link notePeerActivity}).
 *
 * Why: on a DataChannel the ping's stream open, request and answer wait in the same SCTP send queue as file data
 * (libdatachannel keeps one queue per association, Ferry keeps up to `maxBufferedAmount` per channel on top). On a
 * slow path (60–120 ms RTT, or loss) a busy connection's ping took longer than libp2p's 5 s timeout and libp2p
 * closed healthy connections mid-transfer (docs/PERFORMANCE.md, "Liveness on slow paths"). A peer that is still
 * sending data or acknowledging ours is alive whatever its ping does; a dead peer (killed, unplugged) does neither, so
 * it is still noticed: by the first ping that starts more than `activityWindowMs - timeoutMs` after its last sign of
 * life and fails (10–20 s by default; libp2p's monitor: 5–15 s, measured 13–14 s for a killed receiver).
 *
 * Runs until the node stops.
 */
export function watchLiveness (node: Libp2p, options: LivenessOptions = {}): void {
  const intervalMs = options.intervalMs ?? LIVENESS_PING_INTERVAL_MS
  const timeoutMs = options.timeoutMs ?? LIVENESS_PING_TIMEOUT_MS
  const windowMs = options.activityWindowMs ?? LIVENESS_ACTIVITY_WINDOW_MS
  const stopping = new AbortController()
  const busy = new WeakSet<Connection>()
  const timer = setInterval(() => {
    for (const conn of node.getConnections()) {
      if (busy.has(conn) || conn.status !== 'open') continue
      busy.add(conn)
      void checkConnection(conn, timeoutMs, windowMs, stopping.signal).finally(() => busy.delete(conn))
    }
  }, intervalMs)
  timer.unref()
  node.addEventListener('stop', () => {
    clearInterval(timer)
    stopping.abort()
  }, { once: true })
}

/** Pings `conn` once; aborts it when the ping failed and the peer showed no sign of life within `windowMs`. Never throws. */
async function checkConnection (conn: Connection, timeoutMs: number, windowMs: number, stopping: AbortSignal): Promise<void> {
  const started = Date.now()
  try {
    await pingOnce(conn, AbortSignal.any([stopping, AbortSignal.timeout(timeoutMs)]))
  } catch (err) {
    if (stopping.aborted || conn.status !== 'open') return
    // The peer answered the protocol negotiation, it only does not speak ping: it is alive (as in libp2p's monitor).
    if ((err as Error).name === 'UnsupportedProtocolError') return
    if ((lastInput.get(conn) ?? 0) >= Date.now() - windowMs) return
    // A connection carrying a relayed circuit (this peer relays for its contacts, or is reached through a relay) is
    // busy with another connection's bytes, which its ping waits behind; that circuit ends when the peer dies.
    if (conn.streams.some(s => RELAY_PROTOCOLS.has(s.protocol ?? ''))) return
    conn.abort(new PeerUnresponsiveError(Date.now() - started, { cause: err }))
  }
}

/**
 * One ping on its own stream of `conn`: sends 32 random bytes, waits for them to come back; sets `conn.rtt` (ms).
 *
 * @throws when `signal` aborts first, or the stream fails or closes before the echo
 */
async function pingOnce (conn: Connection, signal: AbortSignal): Promise<void> {
  const stream = await conn.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
  try {
    const sentAt = Date.now()
    await echo(stream, crypto.getRandomValues(new Uint8Array(PING_BYTES)), signal)
    conn.rtt = Date.now() - sentAt
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

async function echo (stream: Stream, payload: Uint8Array, signal: AbortSignal): Promise<void> {
  const { promise, resolve, reject } = Promise.withResolvers<void>()
  let received = 0
  const onMessage = (evt: { data: { byteLength: number } }): void => {
    received += evt.data.byteLength
    if (received >= payload.byteLength) resolve()
  }
  const onClose = (): void => reject(new Error('The ping stream closed before the echo'))
  const onAbort = (): void => reject(signal.reason as Error)
  stream.addEventListener('message', onMessage)
  stream.addEventListener('close', onClose)
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    if (signal.aborted) throw signal.reason as Error
    stream.send(payload)
    await promise
  } finally {
    stream.removeEventListener('message', onMessage)
    stream.removeEventListener('close', onClose)
    signal.removeEventListener('abort', onAbort)
  }
}
