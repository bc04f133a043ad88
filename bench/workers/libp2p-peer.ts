/**
 * Ceiling worker: one end of a raw libp2p stream on a node built by Ferry's own `createNode` (same transports,
 * security, muxer and WebRTC options as a Ferry peer), without Ferry's transfer protocol, files, hashing or SQLite.
 * `listen` counts the bytes of every stream on the bench protocol; `dial` connects and writes.
 *
 * argv: `listen|dial` `webrtc|tcp` `<relay multiaddr or ->` [`<JSON DataChannel options>`: use a node with these
 * instead of Ferry's (experiments only, see experiment-node.ts)]
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, describeConnection, dialDirect, waitForReservation } from '../../src-main/core/node/index.ts'
import { nowMs } from '../proc.ts'
import type { WorkerMessage } from '../proc.ts'
import { createExperimentNode } from './experiment-node.ts'
import { serve, tell } from './parent.ts'

/** Protocol of the bench's sink stream. */
const SINK_PROTOCOL = '/ferry-bench/sink/1.0.0'

const role = process.argv[2] === 'dial' ? 'dial' : 'listen'
const transport = process.argv[3] === 'tcp' ? 'tcp' : 'webrtc'
const relay = process.argv[4] ?? '-'

const nodeInit = {
  privateKey: await generateKeyPair('Ed25519'),
  relays: role === 'listen' && transport === 'webrtc' ? [relay] : [],
  iceServers: [],
  listen: role === 'listen' && transport === 'tcp' ? ['/ip4/127.0.0.1/tcp/0'] : [],
  acceptIncoming: role === 'listen' && transport === 'webrtc'
}
const node = process.argv[5] == null ? await createNode(nodeInit) : await createExperimentNode(nodeInit, JSON.parse(process.argv[5]))

let expected = Number.POSITIVE_INFINITY
let received = 0
let reported = false
const checkDone = (): void => {
  if (!reported && received >= expected) {
    reported = true
    tell({ type: 'done', endAt: nowMs(), bytes: received })
  }
}

if (role === 'listen') {
  await node.handle(SINK_PROTOCOL, (stream) => {
    stream.addEventListener('message', (evt) => {
      received += evt.data.byteLength
      checkDone()
    })
  }, { runOnLimitedConnection: false })
  const addrs = transport === 'webrtc'
    ? await waitForReservation(node)
    : node.getMultiaddrs().map(String).filter(a => a.includes('/tcp/') && !a.includes('/ws') && !a.includes('p2p-circuit'))
  tell({ type: 'ready', addrs })
} else {
  tell({ type: 'ready', addrs: [] })
}

/**
 * Dials `addr`, opens `streams` sink streams on the one connection and writes `bytes` bytes, split evenly across them
 * (each written concurrently), in `writeBytes` writes (libp2p perf's 64 KiB blocks); `lowThreshold` > 0 (bytes)
 * is set as each WebRTC stream's DataChannel `bufferedAmountLowThreshold`.
 */
async function send (addr: string, bytes: number, writeBytes: number, streams: number, lowThreshold: number): Promise<void> {
  const conn = await dialDirect(node, multiaddr(addr))
  const opened = await Promise.all(Array.from({ length: streams }, async () => conn.newStream(SINK_PROTOCOL, { runOnLimitedConnection: false })))
  if (lowThreshold > 0) {
    // Experiment: @libp2p/webrtc sets the DataChannel's `bufferedAmountLowThreshold` to 0, so a full channel refills
    // only once it is empty. `channel` is private in its types, hence the cast.
    for (const s of opened) {
      const channel = (s as unknown as { channel?: { bufferedAmountLowThreshold: number } }).channel
      if (channel != null) channel.bufferedAmountLowThreshold = lowThreshold
    }
  }
  tell({ type: 'connected', ...describeConnection(conn) })
  const block = new Uint8Array(writeBytes).fill(0xab)
  const startAt = nowMs()
  tell({ type: 'sent', startAt })
  const share = Math.ceil(bytes / streams)
  await Promise.all(opened.map(async (stream, i) => {
    const mine = Math.max(0, Math.min(share, bytes - i * share))
    for (let sent = 0; sent < mine; sent += writeBytes) {
      // As Ferry's FrameChannel does. Note: in @libp2p/utils 7.4 `onDrain()` resolves at once after the first drain, so
      // this queues ahead without bound; with one reused block that costs no memory (docs/PERFORMANCE.md).
      if (stream.writableNeedsDrain) await stream.onDrain()
      stream.send(mine - sent >= writeBytes ? block : block.subarray(0, mine - sent))
    }
  }))
}

serve(async (msg: WorkerMessage) => {
  if (msg.type === 'expect') {
    expected = Number(msg.bytes)
    checkDone()
  } else if (msg.type === 'go') {
    await send(String(msg.addr), Number(msg.bytes), Number(msg.writeBytes), Number(msg.streams ?? 1), Number(msg.lowThreshold ?? 0))
  }
}, async () => { await node.stop() })
