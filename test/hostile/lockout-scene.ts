/**
 * The connection-lockout harness. The victim is a real `ferry receive` that listens on loopback TCP
 * (`127.0.0.1`) and on its relay — a real `ferry relay` on its own loopback address (`127.0.0.2`), as a relay elsewhere
 * on the internet would be. The honest side is a trusted contact of the victim that sends it a 10 MiB file with the
 * real `ferry send`, over relay-assisted WebRTC. The attackers are bare libp2p nodes (TCP, Noise, Yamux, circuit relay
 * transport), each with a fresh identity and dialling from its own loopback source address (127.0.0.10 and up), all in
 * the test process — or raw sockets that never speak.
 *
 * The bound every lockout test asserts: the contact's send during the attack takes at most
 * {@link lockoutBound}(unattacked time).
 *
 * Diagnostics: `LOCKOUT_DEBUG=<debug namespaces>` and `LOCKOUT_SENDER_DEBUG=…` set `DEBUG` for the victim and the
 * sender (libp2p's logs, on their stderr; the sender's is part of a failed send's message).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import type { TCPSocketOptions } from '@libp2p/tcp'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { ferry, startRelay, stopAll } from '../helpers/cli.ts'
import type { FerryProcess } from '../helpers/cli.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'

/** Bytes the contact sends: the outside tester's honest send. */
export const HONEST_BYTES = 10 * 1024 * 1024

/** The time a send under attack may take, in ms: twice the unattacked time, and never less than it plus 5 s. */
export function lockoutBound (unattackedMs: number): number {
  return Math.max(2 * unattackedMs, unattackedMs + 5_000)
}

/** The loopback source address of attacker `i` (127.0.0.10 … 127.0.0.10+spread-1), never the victim's or relay's. */
export function attackerAddress (i: number, spread: number): string {
  return `127.0.0.${10 + (i % spread)}`
}

/** How one honest send went. */
export interface SendOutcome {
  ok: boolean
  /** From spawning `ferry send` to its exit (or to the kill at the time limit), in ms. */
  ms: number
  /** Its exit code or signal, or 'killed at the time limit'. */
  exit: number | string
  /** Its `--json` events (but progress) and the end of its stderr. */
  stderr: string
}

/** A running victim, its relay and its trusted contact. */
export interface LockoutScene {
  dir: string
  relayAddr: string
  victim: FerryProcess
  victimPeerId: string
  /** The victim's direct TCP address, `/ip4/127.0.0.1/tcp/<port>/p2p/<id>`. */
  victimTcp: string
  /** The victim's address through its relay, `<relay>/p2p-circuit/webrtc/p2p/<id>`: what the contact dials. */
  victimWebrtc: string
  /** The contact sends the 10 MiB file to the victim; killed after `limitMs`. */
  send: (limitMs: number) => Promise<SendOutcome>
  stop: () => Promise<void>
}

async function ok (args: string[]): Promise<Record<string, unknown>> {
  const p = ferry(args)
  const code = await p.exitCode()
  if (code !== 0) throw new Error(`ferry ${args.join(' ')} exited ${code}: ${p.stderr}`)
  return p.events[0] ?? {}
}

/** Starts the relay, the victim (with the contact trusted) and writes the contact's file. */
export async function startScene (prefix: string): Promise<LockoutScene> {
  const dir = await tempDir(prefix)
  const rxDir = join(dir, 'rx')
  const txDir = join(dir, 'contact')
  await mkdir(join(dir, 'files'))
  const file = join(dir, 'files', 'honest.bin')
  await randomFile(file, HONEST_BYTES)
  const { relay, addr: relayAddr } = await startRelay(join(dir, 'relay'), { listen: '/ip4/127.0.0.2/tcp/0' })
  const invite = await ok(['invite', '--data-dir', txDir, '--name', 'Contact'])
  await ok(['contacts', 'add', invite.invite as string, '--trusted', '--data-dir', rxDir])
  const victim = ferry(['receive', '--relay', relayAddr, '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', rxDir, '--out', join(dir, 'out')],
    process.env.LOCKOUT_DEBUG == null ? undefined : { DEBUG: process.env.LOCKOUT_DEBUG })
  const ready = await victim.waitFor('ready')
  const addrs = ready.addrs as string[]
  const victimWebrtc = addrs.find(a => a.includes('/p2p-circuit/webrtc/'))
  const victimTcp = addrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/') && !a.includes('/p2p-circuit'))
  if (victimWebrtc == null || victimTcp == null) throw new Error(`the victim's addresses: ${addrs.join(', ')}`)
  return {
    dir,
    relayAddr,
    victim,
    victimPeerId: ready.peerId as string,
    victimTcp,
    victimWebrtc,
    send: async (limitMs) => {
      const started = Date.now()
      const sender = ferry(['send', '--to', victimWebrtc, '--relay', relayAddr, '--data-dir', txDir, '--retry-for', '0', file],
        process.env.LOCKOUT_SENDER_DEBUG == null ? undefined : { DEBUG: process.env.LOCKOUT_SENDER_DEBUG })
      const completedBefore = victim.events.filter(e => e.event === 'complete').length
      let timer: NodeJS.Timeout | undefined
      const limit = new Promise<string>(resolve => { timer = setTimeout(() => resolve('killed at the time limit'), limitMs) })
      const exit = await Promise.race([sender.exited, limit])
      clearTimeout(timer)
      const ms = Date.now() - started
      if (exit === 'killed at the time limit') await sender.stop('SIGKILL')
      const completed = exit === 0 && victim.events.filter(e => e.event === 'complete').length > completedBefore
      const events = sender.events.filter(e => e.event !== 'progress').map(e => JSON.stringify(e).slice(0, 300)).join('\n')
      return { ok: completed, ms, exit, stderr: `${events}\n${sender.stderr.slice(-6000)}` }
    },
    stop: async () => {
      await stopAll()
      await relay.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/**
 * An attacker node: a fresh identity, TCP dials from `localAddress`, Noise, Yamux, identify (needed by the circuit
 * relay transport) and the circuit relay transport (to open relayed connections through the victim's relay). It
 * listens on nothing.
 */
export async function startAttackerNode (localAddress: string): Promise<Libp2p> {
  return createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: [] },
    // @libp2p/tcp hands `dialOpts` to net.connect as they are (tcp.js `_connect`); its type lists only a few of them.
    transports: [tcp({ dialOpts: { localAddress } as TCPSocketOptions }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() }
  })
}

/** A fleet of attacker nodes that each hold one connection to a target, dialling again whenever it closes. */
export class ConnectionFlood {
  private readonly nodes: Libp2p[] = []
  private stopped = false
  /** Connections that reached the victim (opened), counted over the whole attack. */
  opened = 0
  /** Dials the victim refused or that failed. */
  refused = 0

  private readonly victimPeerId: string

  private constructor (victimPeerId: string) {
    this.victimPeerId = victimPeerId
  }

  /**
   * Starts `count` nodes spread over `spread` source addresses; each dials `target` (an address of the victim, whose
   * peer ID is `victimPeerId`) and keeps one connection, dialling again `redialMs` after it closes or fails.
   */
  static async start (count: number, spread: number, target: string, victimPeerId: string, options: { redialMs?: number } = {}): Promise<ConnectionFlood> {
    const flood = new ConnectionFlood(victimPeerId)
    for (let i = 0; i < count; i++) flood.nodes.push(await startAttackerNode(attackerAddress(i, spread)))
    for (const node of flood.nodes) void flood.hold(node, target, options.redialMs ?? 2_000)
    return flood
  }

  /** Connections to the victim the attackers hold open right now. */
  get open (): number {
    return this.nodes.reduce((n, node) => n + node.getConnections().filter(c => c.status === 'open' && c.remotePeer.toString() === this.victimPeerId).length, 0)
  }

  private async hold (node: Libp2p, target: string, redialMs: number): Promise<void> {
    while (!this.stopped) {
      try {
        const conn = await node.dial(multiaddr(target), { signal: AbortSignal.timeout(10_000) })
        this.opened++
        await new Promise<void>(resolve => {
          if (conn.status !== 'open') { resolve(); return }
          conn.addEventListener('close', () => resolve(), { once: true })
          const poll = setInterval(() => { if (this.stopped) { clearInterval(poll); resolve() } }, 200)
          conn.addEventListener('close', () => clearInterval(poll), { once: true })
        })
      } catch {
        this.refused++
      }
      if (!this.stopped) await new Promise(resolve => setTimeout(resolve, redialMs))
    }
  }

  /**
   * Waits until the attackers hold `count` connections, or `timeoutMs` passed, or — after `settleAfterMs`, if given —
   * the number they hold has not grown for 5 s (the victim stopped letting more in); returns how many they hold.
   */
  async waitForOpen (count: number, timeoutMs: number, settleAfterMs?: number): Promise<number> {
    const started = Date.now()
    let most = 0
    let grewAt = started
    while (this.open < count && Date.now() - started < timeoutMs) {
      await new Promise(resolve => setTimeout(resolve, 200))
      if (this.open > most) { most = this.open; grewAt = Date.now() }
      if (settleAfterMs != null && Date.now() - started >= settleAfterMs && Date.now() - grewAt >= 5_000) break
    }
    return this.open
  }

  async stop (): Promise<void> {
    this.stopped = true
    await Promise.all(this.nodes.map(async n => n.stop()))
  }
}
