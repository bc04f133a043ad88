import { AsyncLocalStorage } from 'node:async_hooks'
import { RTCPeerConnection } from 'node-datachannel/polyfill'
import { HandshakeFailedError } from './errors.ts'

/**
 * Ends a WebRTC dial attempt as soon as its peer connection fails or closes during the handshake, instead of after
 * the attempt's timeout (libp2p's 6 s per-address dial timeout). Why, measured (docs/PERFORMANCE.md, "Connect: failed
 * handshakes"):
 *
 * About 1 in 40–60 relay-assisted dials on loopback failed its DTLS handshake with "certificate verify failed": the
 * offerer's ICE became connected while it applied the answer, and libdatachannel 0.24.5 started DTLS before it had
 * stored the answer's certificate fingerprint, so its check of the peer's certificate failed (later libdatachannel
 * commits the fingerprint first). The peer connection then closes at once — but @libp2p/webrtc 6.0 does not notice:
 * `readCandidatesUntilConnected` swallows the failure and the dial waits for its `init` DataChannel to open until it
 * times out. Each such attempt cost 6 s before `dialDirect` retried, and the retry connected.
 *
 * How: {@link watchHandshake} runs one dial attempt with an AbortSignal of its own, in an async context that the
 * WebRTC transport's calls inherit (as ice.ts does for TURN). Every DataChannel created in that context — the
 * transport's `init` channel — is watched: if it closes before it opened, or its peer connection fails or closes
 * first, the signal aborts with a {@link HandshakeFailedError}, which ends libp2p's dial. Peer connections created
 * outside an attempt (incoming connections) are not touched.
 *
 * A peer connection also closes early when the other side refuses it (e.g. while it still closes a connection that
 * just dropped); such a refusal can last seconds. `dialDirect` therefore tries again within the same attempt, with
 * growing pauses, for as long as the attempt would have waited before (HANDSHAKE_RETRY_WINDOW_MS): failing fast must
 * not shorten how long a dial keeps trying.
 */
export async function watchHandshake<T> (attempt: (failed: AbortSignal) => Promise<T>): Promise<T> {
  const watch: Watch = { controller: new AbortController(), settled: false }
  try {
    return await attempts.run(watch, async () => attempt(watch.controller.signal))
  } finally {
    watch.settled = true
  }
}

/** Installs the DataChannel hook of {@link watchHandshake} on node-datachannel's polyfill (once per process). */
export function installHandshakeWatch (): void {
  if (installed) return
  installed = true
  const createDataChannel = RTCPeerConnection.prototype.createDataChannel
  RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, ...args: Parameters<typeof createDataChannel>) {
    const channel = createDataChannel.apply(this, args)
    const watch = attempts.getStore()
    if (watch == null || watch.settled) return channel
    let opened = false
    const fail = (state: string): void => {
      if (opened || watch.settled || watch.controller.signal.aborted) return
      watch.controller.abort(new HandshakeFailedError(state))
    }
    channel.addEventListener('open', () => { opened = true }, { once: true })
    channel.addEventListener('close', () => { fail('closed') }, { once: true })
    this.addEventListener('connectionstatechange', () => {
      if (this.connectionState === 'failed' || this.connectionState === 'closed') fail(this.connectionState)
    })
    return channel
  }
}

interface Watch {
  controller: AbortController
  /** The attempt ended: what happens to its channels afterwards is not the handshake's business. */
  settled: boolean
}

let installed = false
const attempts = new AsyncLocalStorage<Watch>()
