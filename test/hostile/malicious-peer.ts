/**
 * The hostile-peer harness: a victim — a real Ferry peer (identity, SQLite, transfer service) listening on loopback
 * TCP — and an attacker — a bare libp2p node that speaks `/ferry/transfer/1.0.0` by hand, so it can send anything:
 * malformed frames, lies about sizes, hostile paths. The protocol does not depend on the transport, so loopback TCP
 * stands in for a WebRTC DataChannel here.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createNode } from '../../src-main/core/node/index.ts'
import type { FerryLibp2p } from '../../src-main/core/node/index.ts'
import { startPeer } from '../../src-main/core/peer/index.ts'
import type { Peer, PeerInit } from '../../src-main/core/peer/index.ts'
import { BLOCK_BYTES, TRANSFER_PROTOCOL } from '../../src-main/core/protocol/index.ts'
import type { ControlMessage, Frame } from '../../src-main/core/protocol/index.ts'
import { FrameChannel } from '../../src-main/core/transfer/index.ts'
import type { IncomingOffer, OfferDecision } from '../../src-main/core/transfer/index.ts'

/** Timeouts of the victim, shortened so stalling attacks end quickly. */
export const VICTIM_TIMEOUTS = { offerMs: 1500, decisionMs: 5000, stallMs: 2000 }

/** A real peer under attack. */
export interface Victim {
  peer: Peer
  addr: Multiaddr
  dir: string
  downloadDir: string
  /** Offers that reached the decision (i.e. passed validation). */
  offers: IncomingOffer[]
  failures: Array<{ code: string, message: string }>
  stop: () => Promise<void>
}

/**
 * Starts a victim that accepts every offer unless `decide` says otherwise; `init` overrides options of its peer, and
 * `init.timeouts` replace some of {@link VICTIM_TIMEOUTS}.
 */
export async function startVictim (decide?: (offer: IncomingOffer, signal: AbortSignal) => Promise<OfferDecision>, init: Partial<PeerInit> = {}): Promise<Victim> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-hostile-'))
  const downloadDir = join(dir, 'downloads')
  const offers: IncomingOffer[] = []
  const failures: Array<{ code: string, message: string }> = []
  const peer = await startPeer({
    dataDir: join(dir, 'data'),
    downloadDir,
    relays: [],
    iceServers: [],
    listen: ['/ip4/127.0.0.1/tcp/0'],
    acceptIncoming: false,
    decide: async (offer, signal) => {
      offers.push(offer)
      return decide != null ? decide(offer, signal) : { accept: true }
    },
    ...init,
    timeouts: { ...VICTIM_TIMEOUTS, ...init.timeouts }
  })
  peer.transfers.on('failed', f => failures.push({ code: f.code, message: f.message }))
  const addr = multiaddr(`${peer.node.getMultiaddrs().map(String).find(a => a.includes('/tcp/')) ?? ''}`)
  return {
    peer, addr, dir, downloadDir, offers, failures,
    stop: async () => {
      await peer.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A raw transfer stream opened by the attacker. */
export interface RawStream {
  channel: FrameChannel
  /** Sends bytes as they are: no framing, no checks. */
  raw: (bytes: Uint8Array) => void
  /** Sends any JSON value as a control frame, bypassing the schema. */
  control: (value: unknown) => void
  /** Sends a data frame. */
  data: (bytes: Uint8Array) => void
  /** The next frame from the victim (throws when the victim closed or reset the stream). */
  next: (timeoutMs?: number) => Promise<Frame>
  /** The next control message, skipping acks. */
  nextControl: (timeoutMs?: number) => Promise<ControlMessage>
}

/** The attacker: a libp2p node with its own identity that opens raw transfer streams to the victim. */
export interface Attacker {
  node: FerryLibp2p
  /** Opens a transfer stream; unless `keepOthers`, the streams opened before are reset first. */
  open: (to: Multiaddr, options?: { keepOthers?: boolean }) => Promise<RawStream>
  stop: () => Promise<void>
}

/** Starts an attacker node. */
export async function startAttacker (): Promise<Attacker> {
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [], iceServers: [], acceptIncoming: false })
  const opened: Array<{ abort: (err: Error) => void }> = []
  return {
    node,
    open: async (to, options = {}) => {
      // Like a client that moves on, the attacker resets the streams it opened before (the victim holds a stream
      // slot for a peer that never closes only for a few seconds; tests open many streams on one connection).
      if (options.keepOthers !== true) for (const old of opened.splice(0)) old.abort(new Error('attacker moves on'))
      const stream = await node.dialProtocol(to, TRANSFER_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
      opened.push(stream)
      const channel = new FrameChannel(stream)
      const frame = (type: number, body: Uint8Array): Uint8Array => {
        const out = new Uint8Array(5 + body.byteLength)
        out[0] = type
        new DataView(out.buffer).setUint32(1, body.byteLength)
        out.set(body, 5)
        return out
      }
      const next = async (timeoutMs = 10_000): Promise<Frame> => channel.next({ timeoutMs })
      return {
        channel,
        raw: (bytes) => { stream.send(bytes) },
        control: (value) => { stream.send(frame(0x01, new TextEncoder().encode(JSON.stringify(value)))) },
        data: (bytes) => { stream.send(frame(0x02, bytes)) },
        next,
        nextControl: async (timeoutMs = 10_000) => {
          while (true) {
            const f = await next(timeoutMs)
            if (f.kind === 'control' && f.message.type !== 'ack') return f.message
          }
        }
      }
    },
    stop: async () => { await node.stop() }
  }
}

/**
 * Registers `before`/`after` hooks of the enclosing `describe` that start a victim (accepting every offer) and an
 * attacker, and stop both; the returned object holds them once `before` has run.
 */
export function victimAndAttacker (): { victim: Victim, attacker: Attacker } {
  const ctx = {} as { victim: Victim, attacker: Attacker }
  before(async () => {
    ctx.victim = await startVictim()
    ctx.attacker = await startAttacker()
  })
  after(async () => {
    await ctx.attacker?.stop()
    await ctx.victim?.stop()
  })
  return ctx
}

/** A well-formed offer of `files` (each `{ path, size }`), with a fresh transfer ID. */
export function offerOf (files: Array<{ path: string, size: number }>): ControlMessage {
  return { type: 'offer', version: 1, transferId: randomUUID(), totalBytes: files.reduce((n, f) => n + f.size, 0), files }
}

/** Sends `content` as file `index` the way an honest sender would (file-start, data, block hashes, file-end). */
export function sendHonestFile (s: RawStream, index: number, content: Uint8Array): void {
  s.control({ type: 'file-start', index, offset: 0 })
  for (let at = 0; at < content.byteLength; at += BLOCK_BYTES) {
    const block = content.subarray(at, Math.min(at + BLOCK_BYTES, content.byteLength))
    for (let c = 0; c < block.byteLength; c += 65536) s.data(block.subarray(c, Math.min(c + 65536, block.byteLength)))
    s.control({ type: 'block', index, offset: at, sha256: sha256(block) })
  }
  s.control({ type: 'file-end', index, sha256: sha256(content) })
}

/** Lower-case hex SHA-256. */
export function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Every entry under `dir`, recursively, hidden ones included; [] if it does not exist. */
export async function entries (dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true }).catch(() => [] as string[])).sort()
}

/** Waits until `check()` is true, polling, for at most `timeoutMs`. */
export async function eventually (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
