/**
 * The network lab: network namespaces joined into a small fake internet, one Linux NAT router per site, and a
 * coturn STUN/TURN server, all created by the test and removed by {@link NetLab.stop} (and, for a crashed earlier
 * run, by {@link NetLab.start}).
 *
 * ```
 *  fl-<tag>-inet: bridge br0 203.0.113.1/24 (TEST-NET-3) — coturn :3478 and `ferry relay` :4001 listen here;
 *                 also 203.0.113.2, coturn's second address (two STUN servers on two IPs, for the network check)
 *     ├─ fl-<tag>-<cell>ra: wan0 203.0.113.11 ── NAT ── lan0 10.99.1.1/24 ── fl-<tag>-<cell>a  10.99.1.2 (sender)
 *     └─ fl-<tag>-<cell>rb: wan0 203.0.113.12 ── NAT ── lan0 10.99.2.1/24 ── fl-<tag>-<cell>b  10.99.2.2 (receiver)
 * ```
 * (same LAN: the receiver is 10.99.1.3 on router a's LAN and there is no router b.)
 *
 * The namespaces have no link to the root namespace and no default route out of the lab: nothing leaves the machine,
 * and the root namespace's interfaces, routes and firewall are never touched.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createNamespace, deleteNamespace, inNs, ipIn, listNamespaces, NS_PREFIX, removeLeftovers, RUN_TAG } from './netns.ts'
import { configureRouter } from './topologies.ts'
import type { Topology } from './topologies.ts'

/** The "internet" side: its bridge address, where coturn and the relay listen. */
export const PUBLIC_IP = '203.0.113.1'
/**
 * A second address of the internet side, where coturn also answers STUN: two STUN servers on two different IPs, as the
 * network check needs to tell the NAT's mapping (RFC 5780 §4.3).
 */
export const PUBLIC_IP_2 = '203.0.113.2'
/** coturn's port (STUN and TURN over UDP). */
export const TURN_PORT = 3478
/** The relay's TCP port. */
export const RELAY_PORT = 4001
/** The long-term credentials coturn accepts (lab only). */
export const TURN_USER = 'ferry'
export const TURN_PASSWORD = 'netlab-secret'

/** The ICE servers every lab peer uses: coturn as STUN and as TURN (UDP). */
export const LAB_ICE_SERVERS = `stun:${PUBLIC_IP}:${TURN_PORT},turn:${TURN_USER}:${TURN_PASSWORD}@${PUBLIC_IP}:${TURN_PORT}?transport=udp`

/** The namespaces of one cell: where to run the sender and the receiver. */
export interface Cell {
  sender: string
  receiver: string
  /** The sender's router, and the receiver's (the same one on a shared LAN). */
  routers: { sender: string, receiver: string }
  /** Deletes the cell's namespaces (and any process left in them). */
  teardown: () => Promise<void>
}

/**
 * Routes everything the namespace has no route for into a dead end that drops it silently — as the internet does with
 * packets to a private address. Without it, a send to another site's private (host candidate) address fails at once
 * with ENETUNREACH, and coturn closes the whole TURN allocation on that error, so TURN never works in the lab.
 *
 * The dead end is a veth pair inside the namespace: the default route points at a made-up gateway (TEST-NET-1) with a
 * permanent neighbour entry, so frames leave `void0` addressed to a MAC nobody has and `void1` discards them.
 */
async function blackholeDefaultRoute (ns: string): Promise<void> {
  await ipIn(ns, ['link', 'add', 'void0', 'type', 'veth', 'peer', 'name', 'void1'])
  await ipIn(ns, ['link', 'set', 'void0', 'up'])
  await ipIn(ns, ['link', 'set', 'void1', 'up'])
  await ipIn(ns, ['neigh', 'add', '192.0.2.1', 'lladdr', '02:00:00:00:00:01', 'dev', 'void0', 'nud', 'permanent'])
  await ipIn(ns, ['route', 'add', 'default', 'via', '192.0.2.1', 'dev', 'void0', 'onlink'])
}

/** A running lab (see the module comment). */
export class NetLab {
  readonly inet: string
  readonly dir: string
  private coturn: ChildProcess | undefined
  coturnLog = ''
  private cells = 0

  private constructor (dir: string) {
    this.dir = dir
    this.inet = `${NS_PREFIX}${RUN_TAG}-inet`
  }

  /**
   * Removes leftovers of crashed earlier runs, builds the internet namespace and starts coturn in it. `dir` holds
   * coturn's files. Stops what it started if a step fails.
   */
  static async start (dir: string): Promise<NetLab> {
    await removeLeftovers()
    const lab = new NetLab(dir)
    try {
      await createNamespace(lab.inet)
      await ipIn(lab.inet, ['link', 'add', 'br0', 'type', 'bridge'])
      await ipIn(lab.inet, ['addr', 'add', `${PUBLIC_IP}/24`, 'dev', 'br0'])
      await ipIn(lab.inet, ['addr', 'add', `${PUBLIC_IP_2}/24`, 'dev', 'br0'])
      await ipIn(lab.inet, ['link', 'set', 'br0', 'up'])
      await blackholeDefaultRoute(lab.inet)
      await lab.startCoturn()
    } catch (err) {
      await lab.stop()
      throw err
    }
    return lab
  }

  private async startCoturn (): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', this.inet, 'turnserver', '-n',
      '--listening-ip', PUBLIC_IP, '--listening-ip', PUBLIC_IP_2, '--relay-ip', PUBLIC_IP, '--listening-port', String(TURN_PORT),
      '--min-port', '49152', '--max-port', '49999',
      '--lt-cred-mech', '--user', `${TURN_USER}:${TURN_PASSWORD}`, '--realm', 'ferry.lab', '--fingerprint',
      '--no-tls', '--no-dtls', '--no-cli', '--no-software-attribute',
      '--userdb', join(this.dir, 'turndb'), '--pidfile', join(this.dir, 'turnserver.pid'),
      '--log-file', 'stdout', '--simple-log', ...(process.env.FL_COTURN_VERBOSE === '1' ? ['-V'] : [])
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.coturn = child
    child.stdout?.setEncoding('utf8').on('data', (s: string) => { this.coturnLog += s })
    child.stderr?.setEncoding('utf8').on('data', (s: string) => { this.coturnLog += s })
    // Ready once it listens on the UDP port.
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      if (child.exitCode != null) throw new Error(`coturn exited (${child.exitCode}): ${this.coturnLog}`)
      const udp = await inNs(this.inet, 'ss', ['-Hlun', 'sport', `= :${TURN_PORT}`]).catch(() => '')
      if (udp.trim() !== '') return
      await sleep(50)
    }
    throw new Error(`coturn did not listen on ${PUBLIC_IP}:${TURN_PORT} within 10 s: ${this.coturnLog}`)
  }

  /** The relay's listen multiaddr in the internet namespace. */
  get relayListen (): string {
    return `/ip4/${PUBLIC_IP}/tcp/${RELAY_PORT}`
  }

  /** Builds the routers and hosts of `topology` (a fresh set of namespaces per call). */
  async buildCell (topology: Topology): Promise<Cell> {
    const id = `${NS_PREFIX}${RUN_TAG}-c${++this.cells}`
    const created: string[] = []
    const teardown = async (): Promise<void> => {
      for (const ns of created.reverse()) await deleteNamespace(ns).catch(() => {})
    }
    const make = async (ns: string): Promise<string> => {
      await createNamespace(ns)
      created.push(ns)
      return ns
    }
    try {
      const routerA = await this.buildRouter(await make(`${id}ra`), 1, `${id}a`)
      const sender = await this.buildHost(await make(`${id}a`), routerA, 1, 2)
      let receiver: string
      let routerB = routerA
      if (topology.sameLan === true) {
        receiver = await this.buildHost(await make(`${id}b`), routerA, 1, 3)
        await configureRouter(routerA, topology.a, ['10.99.1.2', '10.99.1.3'])
      } else {
        routerB = await this.buildRouter(await make(`${id}rb`), 2, `${id}b`)
        receiver = await this.buildHost(await make(`${id}b`), routerB, 2, 2)
        await configureRouter(routerA, topology.a, ['10.99.1.2'])
        await configureRouter(routerB, topology.b, ['10.99.2.2'])
      }
      return { sender, receiver, routers: { sender: routerA, receiver: routerB }, teardown }
    } catch (err) {
      await teardown()
      throw err
    }
  }

  /** A router for site `site`: WAN 203.0.113.(10+site) on the internet bridge, LAN bridge 10.99.<site>.1/24. */
  private async buildRouter (ns: string, site: number, label: string): Promise<string> {
    const peerName = `r${site}-${label.slice(-6)}`.slice(0, 15)
    await ipIn(ns, ['link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', peerName, 'netns', this.inet])
    await ipIn(this.inet, ['link', 'set', peerName, 'master', 'br0'])
    await ipIn(this.inet, ['link', 'set', peerName, 'up'])
    await ipIn(ns, ['addr', 'add', `203.0.113.${10 + site}/24`, 'dev', 'wan0'])
    await ipIn(ns, ['link', 'set', 'wan0', 'up'])
    await ipIn(ns, ['link', 'add', 'lan0', 'type', 'bridge'])
    await ipIn(ns, ['addr', 'add', `10.99.${site}.1/24`, 'dev', 'lan0'])
    await ipIn(ns, ['link', 'set', 'lan0', 'up'])
    await inNs(ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1'])
    await blackholeDefaultRoute(ns)
    return ns
  }

  /** A host 10.99.<site>.<n>/24 on `router`'s LAN, with the router as its default gateway. */
  private async buildHost (ns: string, router: string, site: number, n: number): Promise<string> {
    const peerName = `h${n}`
    await ipIn(ns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', peerName, 'netns', router])
    await ipIn(router, ['link', 'set', peerName, 'master', 'lan0'])
    await ipIn(router, ['link', 'set', peerName, 'up'])
    await ipIn(ns, ['addr', 'add', `10.99.${site}.${n}/24`, 'dev', 'eth0'])
    await ipIn(ns, ['link', 'set', 'eth0', 'up'])
    await ipIn(ns, ['route', 'add', 'default', 'via', `10.99.${site}.1`])
    return ns
  }

  /**
   * A host with a public address and no NAT: 203.0.113.<n> (n ≥ 20) directly on the internet bridge. Deleted by
   * {@link stop}, or earlier by the returned `teardown`.
   */
  async buildPublicHost (n: number): Promise<{ ns: string, teardown: () => Promise<void> }> {
    const ns = `${NS_PREFIX}${RUN_TAG}-pub${n}`
    await createNamespace(ns)
    try {
      const peerName = `p${n}-${RUN_TAG}`.slice(0, 15)
      await ipIn(ns, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', peerName, 'netns', this.inet])
      await ipIn(this.inet, ['link', 'set', peerName, 'master', 'br0'])
      await ipIn(this.inet, ['link', 'set', peerName, 'up'])
      await ipIn(ns, ['addr', 'add', `203.0.113.${n}/24`, 'dev', 'eth0'])
      await ipIn(ns, ['link', 'set', 'eth0', 'up'])
      await blackholeDefaultRoute(ns)
    } catch (err) {
      await deleteNamespace(ns).catch(() => {})
      throw err
    }
    return { ns, teardown: async () => deleteNamespace(ns) }
  }

  /** Stops coturn and deletes every namespace of this run (with any process left inside). */
  async stop (): Promise<void> {
    const coturn = this.coturn
    if (coturn != null && coturn.exitCode == null && coturn.signalCode == null) {
      const exited = new Promise(resolve => coturn.once('exit', resolve))
      coturn.kill('SIGTERM')
      await Promise.race([exited, sleep(3000)])
      if (coturn.exitCode == null && coturn.signalCode == null) coturn.kill('SIGKILL')
    }
    for (const ns of await listNamespaces()) {
      if (ns.startsWith(`${NS_PREFIX}${RUN_TAG}-`)) await deleteNamespace(ns).catch(() => {})
    }
  }
}
