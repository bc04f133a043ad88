/**
 * Ceilings: how fast the raw transports move bytes between two processes on this machine, measured in the same run
 * and with the same byte count as the Ferry transfers they are compared with.
 *
 * - raw DataChannel: two node-datachannel PeerConnections (two processes), SDP/candidates relayed by the bench
 * - libp2p WebRTC stream: two Ferry-configured libp2p nodes, connected through the local relay like Ferry
 * - libp2p TCP stream: the same nodes over TCP + Noise + Yamux
 */
import { ProcessSampler } from './process-sampler.ts'
import { Worker } from './proc.ts'
import type { WorkerMessage } from './proc.ts'

/** One ceiling measurement. */
export interface CeilingResult {
  mibPerSec: number
  bytes: number
  ms: number
  /** CPU time of each process (start-up and handshake included), s. */
  senderCpuSeconds: number
  receiverCpuSeconds: number
}

/** Options of the raw DataChannel ceiling. */
export interface DataChannelOptions {
  /**
   * Bytes per `sendMessageBinary`. Default 256 KiB: libdatachannel's max message size, the fastest raw setting here
   * (73–78 MiB/s vs 61–70 at 64 KiB) and what Ferry's DataChannel messages are with its DataChannel options.
   */
  messageBytes?: number
  /** Stop writing while the channel buffers more than this many bytes. Default 4 MiB. */
  highWater?: number
  /** Resume writing when the buffer falls to this many bytes. Default 1 MiB. */
  lowWater?: number
  /** node-datachannel `setSctpSettings` for both processes (`{}`: library defaults). */
  sctp?: Record<string, number>
}

const MiB = 1024 * 1024

function result (bytes: number, startAt: number, endAt: number, sender: ProcessSampler, receiver: ProcessSampler): CeilingResult {
  const ms = endAt - startAt
  return { bytes, ms, mibPerSec: bytes / MiB / (ms / 1000), senderCpuSeconds: sender.stop().cpuSeconds, receiverCpuSeconds: receiver.stop().cpuSeconds }
}

/** Time the bench allows a transfer of `bytes` bytes at ≥ 5 MiB/s (plus set-up), in ms. */
export function transferTimeoutMs (bytes: number): number {
  return 60_000 + Math.ceil(bytes / (5 * MiB)) * 1000
}

/** Measures a raw node-datachannel DataChannel between two processes moving `bytes` bytes. */
export async function rawDataChannel (bytes: number, options: DataChannelOptions = {}): Promise<CeilingResult> {
  const sctp = JSON.stringify(options.sctp ?? {})
  // SDP and candidates of one peer go to the other, as a relay would carry them.
  const peers: { sender?: Worker, receiver?: Worker } = {}
  const sender = peers.sender = new Worker('datachannel-peer', ['offer', sctp], (msg: WorkerMessage) => peers.receiver?.send(msg))
  const receiver = peers.receiver = new Worker('datachannel-peer', ['answer', sctp], (msg: WorkerMessage) => peers.sender?.send(msg))
  const samplers = [new ProcessSampler(sender.pid), new ProcessSampler(receiver.pid)] as const
  try {
    await Promise.all([sender.next('open', 15_000), receiver.next('open', 15_000)])
    receiver.send({ type: 'expect', bytes })
    sender.send({ type: 'go', bytes, messageBytes: options.messageBytes ?? 256 * 1024, highWater: options.highWater ?? 4 * MiB, lowWater: options.lowWater ?? MiB })
    const { startAt } = await sender.next('sent')
    const { endAt } = await receiver.next('done', transferTimeoutMs(bytes))
    return result(bytes, Number(startAt), Number(endAt), ...samplers)
  } finally {
    for (const s of samplers) s.stop()
    await Promise.all([sender.stop(), receiver.stop()])
  }
}

/**
 * Measures a raw libp2p stream between two processes moving `bytes` bytes in `writeBytes` writes: over WebRTC
 * through `relayAddr` (circuit relay for the handshake only), or over TCP on loopback. Both nodes are Ferry's
 * (`createNode`), or — given `dataChannel` — nodes with those DataChannel options (experiments). `streams` > 1 splits the
 * bytes across that many streams of the one connection, written concurrently; `lowThreshold` (bytes) is set as the
 * DataChannels' `bufferedAmountLowThreshold` (experiments).
 */
export async function rawLibp2pStream (transport: 'webrtc' | 'tcp', bytes: number, relayAddr: string, writeBytes = 64 * 1024, dataChannel?: Record<string, number>, { streams = 1, lowThreshold = 0 } = {}): Promise<CeilingResult & { transport: string }> {
  const extra = dataChannel == null ? [] : [JSON.stringify(dataChannel)]
  const listener = new Worker('libp2p-peer', ['listen', transport, relayAddr, ...extra])
  const dialer = new Worker('libp2p-peer', ['dial', transport, relayAddr, ...extra])
  const samplers = [new ProcessSampler(dialer.pid), new ProcessSampler(listener.pid)] as const
  try {
    const ready = await listener.next('ready', 30_000)
    await dialer.next('ready', 30_000)
    const addr = (ready.addrs as string[])[0]
    if (addr == null) throw new Error(`the ${transport} listener has no address`)
    listener.send({ type: 'expect', bytes })
    dialer.send({ type: 'go', addr, bytes, writeBytes, streams, lowThreshold })
    const connected = await dialer.next('connected', 60_000)
    if (connected.transport !== transport || connected.limited === true) throw new Error(`expected a direct ${transport} connection, got ${JSON.stringify(connected)}`)
    const { startAt } = await dialer.next('sent')
    const { endAt } = await listener.next('done', transferTimeoutMs(bytes))
    return { ...result(bytes, Number(startAt), Number(endAt), ...samplers), transport: String(connected.transport) }
  } finally {
    for (const s of samplers) s.stop()
    await Promise.all([dialer.stop(), listener.stop()])
  }
}
