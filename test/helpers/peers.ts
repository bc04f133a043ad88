/**
 * In-process Ferry peers for the fault tests: a circuit-relay-v2 relay on loopback and real peers (identity, SQLite,
 * transfer service) that reserve a slot on it and talk relay-assisted WebRTC to each other, as they do in the app.
 * Every peer and the relay started through a {@link TestNetwork} is stopped by {@link TestNetwork.stop}; the last
 * WebRTC node to stop releases node-datachannel's threads, so the test process exits on its own.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import type { Connection, Libp2p, Stream, StreamMiddleware } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { loadOrCreateIdentity } from '../../src-main/core/identity/index.ts'
import { startPeer } from '../../src-main/core/peer/index.ts'
import type { Peer, PeerInit } from '../../src-main/core/peer/index.ts'
import { createRelay } from '../../src-main/core/relay/index.ts'
import { FrameDecoder, STALL_TIMEOUT_MS, TRANSFER_PROTOCOL } from '../../src-main/core/protocol/index.ts'
import { TRANSFER_HANDLER_OPTIONS } from '../../src-main/core/transfer/index.ts'
import type { Frame } from '../../src-main/core/protocol/index.ts'

/**
 * Timeouts for tests: the offer and the decision shorter than the protocol defaults (10 s, 10 min), so a test never
 * waits on them. The stall timeout is the product's own (`STALL_TIMEOUT_MS`, 30 s): on a loaded 2-core machine a
 * loopback WebRTC connection now and then carried nothing for 10 s mid-transfer (CI), which the tests' former 10 s
 * turned into a stalled send where the product might have waited it out. (A likely cause, not proven per stall: the
 * receiving UDP socket overflows — this machine's `Udp6RcvbufErrors` in /proc/net/snmp6 counted 24,405 — and SCTP
 * backs off its retransmissions, up to libdatachannel's 10 s.) A test that stalls a transfer on purpose sets a
 * shorter one itself.
 */
export const TEST_TIMEOUTS = { offerMs: 5_000, decisionMs: 10_000, stallMs: STALL_TIMEOUT_MS }

/** A peer started by a {@link TestNetwork}, with its folders and its WebRTC address through the relay. */
export interface TestPeer extends Peer {
  name: string
  dataDir: string
  downloadDir: string
  /** `<relay>/p2p-circuit/webrtc/p2p/<peer ID>`, or undefined for a peer that does not accept incoming transfers. */
  addr: Multiaddr | undefined
}

/** A loopback relay and the peers started on it. */
export class TestNetwork {
  readonly root: string
  readonly relay: Libp2p
  readonly relayAddr: string
  private readonly peers = new Set<TestPeer>()

  private constructor (root: string, relay: Libp2p, relayAddr: string) {
    this.root = root
    this.relay = relay
    this.relayAddr = relayAddr
  }

  /** Starts a relay on 127.0.0.1 with its identity under `<root>/relay` (`relayData`: one that carries file bytes). */
  static async start (root: string, options: { relayData?: boolean } = {}): Promise<TestNetwork> {
    const relay = await createRelay({ privateKey: await loadOrCreateIdentity(join(root, 'relay')), listen: ['/ip4/127.0.0.1/tcp/0'], ...options })
    const addr = relay.getMultiaddrs().map(String).find(a => a.includes('/tcp/') && !a.includes('/ws'))
    if (addr == null) throw new Error(`the relay has no TCP address: ${relay.getMultiaddrs().map(String).join(', ')}`)
    return new TestNetwork(root, relay, addr)
  }

  /**
   * Starts peer `name` with its data under `<root>/<name>/data` and downloads in `<root>/<name>/downloads` (unless
   * `init.downloadDir` says otherwise), no ICE servers, {@link TEST_TIMEOUTS}, and — unless `init.decide` says
   * otherwise — accepting every offer. With `acceptIncoming` (the default) it waits for its relay reservation.
   * `middleware` runs, in order, on every incoming transfer stream before the transfer service's handler
   * ({@link throughMiddleware}).
   */
  async peer (name: string, init: Partial<PeerInit> & { middleware?: StreamMiddleware[] } = {}): Promise<TestPeer> {
    const dataDir = join(this.root, name, 'data')
    const { middleware, ...peerInit } = init
    const downloadDir = peerInit.downloadDir ?? join(this.root, name, 'downloads')
    const peer = await startPeer({
      dataDir,
      downloadDir,
      relays: [this.relayAddr],
      iceServers: [],
      timeouts: TEST_TIMEOUTS,
      decide: async () => ({ accept: true }),
      ...peerInit
    })
    if (middleware != null && peerInit.acceptIncoming !== false) await throughMiddleware(peer, middleware)
    const started: TestPeer = Object.assign(peer, { name, dataDir, downloadDir, addr: undefined as Multiaddr | undefined })
    this.peers.add(started)
    if (init.acceptIncoming !== false) {
      const addrs = await peer.reachableAddrs({ timeoutMs: 10_000 })
      const webrtc = addrs.find(a => a.includes('/p2p-circuit/webrtc/'))
      if (webrtc == null) throw new Error(`peer ${name} has no WebRTC address: ${addrs.join(', ')}`)
      started.addr = multiaddr(webrtc)
    }
    return started
  }

  /** Stops one peer (idempotent). */
  async stopPeer (peer: TestPeer): Promise<void> {
    if (!this.peers.delete(peer)) return
    await peer.stop()
  }

  /** Stops every peer still running, then the relay. */
  async stop (): Promise<void> {
    for (const peer of [...this.peers].reverse()) await this.stopPeer(peer)
    await this.relay.stop()
  }
}

/** SHA-256 hex of a file, streamed. */
export async function fileSha256 (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** What a {@link wireTap} saw on the incoming transfer streams of a peer, one entry per stream. */
export interface TappedStream {
  stream: Stream
  /** Frames the sender sent, in order (data frames keep only their length). */
  received: Array<{ kind: 'control', type: string, message: Record<string, unknown> } | { kind: 'data', bytes: number }>
  /** Control messages this peer sent back (acks, nacks, complete, …). */
  sent: Array<Record<string, unknown>>
  /** Data bytes (file bytes, without frame headers) that arrived on this stream. */
  dataBytes: number
}

/** The first control message of `type` the sender sent on a tapped stream. */
export function controlOf (tapped: TappedStream, type: string): Record<string, unknown> | undefined {
  for (const f of tapped.received) if (f.kind === 'control' && f.type === type) return f.message
  return undefined
}

function summarize (frame: Frame): TappedStream['received'][number] {
  return frame.kind === 'data'
    ? { kind: 'data', bytes: frame.bytes.byteLength }
    : { kind: 'control', type: frame.message.type, message: frame.message as unknown as Record<string, unknown> }
}

/**
 * Puts `middleware` in front of `peer`'s transfer handler: the handler is registered again, with the same options, so
 * that each incoming transfer stream passes through every middleware, in order, before `TransferService.handleStream`;
 * a middleware that throws aborts the stream. (libp2p 3.3 ignores `handle()`'s own `middleware` option, and
 * `node.use()` middleware runs on outgoing streams too.)
 */
async function throughMiddleware (peer: Peer, middleware: readonly StreamMiddleware[]): Promise<void> {
  await peer.node.unhandle(TRANSFER_PROTOCOL)
  await peer.node.handle(TRANSFER_PROTOCOL, (stream, conn) => {
    void (async () => {
      try {
        for (const m of middleware) {
          [stream, conn] = await new Promise<[Stream, Connection]>((resolve, reject) => {
            Promise.resolve(m(stream, conn, (s, c) => resolve([s, c]))).catch(reject)
          })
        }
      } catch (err) {
        stream.abort(err as Error)
        return
      }
      await peer.transfers.handleStream(stream, conn)
    })()
  }, { ...TRANSFER_HANDLER_OPTIONS })
}

/**
 * A stream middleware that records every frame on each incoming transfer stream, in both directions, without
 * changing anything: pass `tap.middleware` as the receiver's `middleware` and read `tap.streams`.
 */
export function wireTap (): { middleware: StreamMiddleware, streams: TappedStream[] } {
  const streams: TappedStream[] = []
  const middleware: StreamMiddleware = (stream, connection, next) => {
    const tapped: TappedStream = { stream, received: [], sent: [], dataBytes: 0 }
    streams.push(tapped)
    const incoming = new FrameDecoder()
    // Registered before the transfer handler's own listener, so it sees each message first.
    stream.addEventListener('message', (evt) => {
      try {
        for (const frame of incoming.push(evt.data)) {
          tapped.received.push(summarize(frame))
          if (frame.kind === 'data') tapped.dataBytes += frame.bytes.byteLength
        }
      } catch {
        // a malformed frame: the handler refuses it; the tap only watches
      }
    })
    const outgoing = new FrameDecoder()
    const send = stream.send.bind(stream)
    stream.send = (data) => {
      try {
        for (const frame of outgoing.push(data)) if (frame.kind === 'control') tapped.sent.push(frame.message as unknown as Record<string, unknown>)
      } catch {
        // not ours to judge
      }
      return send(data)
    }
    next(stream, connection)
  }
  return { middleware, streams }
}
