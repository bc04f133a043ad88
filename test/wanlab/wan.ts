/**
 * The WAN lab: two hosts in network namespaces joined through a third namespace in which `delaylink` (delaylink.c,
 * next to this file) bridges their links in user space with a one-way delay, random loss and a rate limit — the
 * kernel's `netem` is not needed (and is missing on some kernels).
 *
 * ```
 * fl-<run>-<name>a ──veth── fl-<run>-<name>m ──veth── fl-<run>-<name>b
 * 198.18.0.1/24             delaylink ma <-> mb       198.18.0.2/24
 * ```
 *
 * Every A↔B frame crosses delaylink. IPv6 is off in the lab namespaces; on every veth TSO/GSO/GRO and TX checksum
 * offload are off so frames are wire-sized (delaylink copies whole frames into 2 KiB slots and drops larger ones), and
 * each veth's receive path is steered to one CPU (RPS) so the kernel's per-CPU backlogs do not reorder frames.
 * Namespace names follow test/netlab/netns.ts (`fl-<run tag>-…`), so a crashed run's leftovers are removed by
 * `removeLeftovers`. Nothing touches the root namespace's interfaces, routes or firewall. Needs root, iproute2,
 * ethtool and gcc.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createNamespace, deleteNamespace, inNs, ipIn, missingPrerequisite, NS_PREFIX, run, RUN_TAG } from '../netlab/netns.ts'

/** Tools the WAN lab runs, each found on `PATH` (Debian packages iproute2, ethtool, gcc). */
export const WAN_TOOLS = ['ip', 'ethtool', 'gcc'] as const
/** Host A's and host B's addresses on the lab link. */
export const ADDR_A = '198.18.0.1'
export const ADDR_B = '198.18.0.2'

const SOURCE = fileURLToPath(new URL('./delaylink.c', import.meta.url))

/** The link between A and B. */
export interface LinkSettings {
  /** Round-trip time added by the link, in ms (half of it each way). */
  rttMs: number
  /** Random loss per frame and direction, in percent (0–100). Default 0. */
  lossPercent?: number
  /** Rate limit per direction, in Mbit/s (behind a 1,000-frame bottleneck queue); 0 or absent: none. */
  rateMbit?: number
}

/** A running WAN lab; {@link WanLab.teardown} removes it (and every process inside it). */
export interface WanLab {
  /** Namespace of host A (198.18.0.1). */
  a: string
  /** Namespace of host B (198.18.0.2). */
  b: string
  /** Namespace of the link (delaylink runs here). */
  m: string
  /** Restarts delaylink with new settings (frames in flight are lost; connections survive as after a loss burst). */
  setLink: (link: LinkSettings) => Promise<void>
  /** delaylink's statistics so far (its stderr): frames, bytes and drops per direction. */
  linkLog: () => string
  /** Stops delaylink and deletes the namespaces. */
  teardown: () => Promise<void>
}

/** Why the WAN lab cannot run here (not root, a tool missing, no namespaces), or undefined when it can. */
export async function missingWanPrerequisite (): Promise<string | undefined> {
  const missing = await missingPrerequisite(WAN_TOOLS)
  return missing?.replace('(apt-get install iproute2 iptables coturn)', '(apt-get install iproute2 ethtool gcc)')
}

/** Compiles delaylink into a temporary directory; returns its path and a function that removes it. */
async function buildDelaylink (): Promise<{ bin: string, remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-delaylink-'))
  const bin = join(dir, 'delaylink')
  await run('gcc', ['-O2', '-Wall', '-o', bin, SOURCE, '-lm'])
  return { bin, remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

async function wireSized (ns: string, dev: string): Promise<void> {
  await inNs(ns, 'ethtool', ['-K', dev, 'tx', 'off', 'tso', 'off', 'gso', 'off', 'gro', 'off'])
  await inNs(ns, 'sh', ['-c', `echo 1 > /sys/class/net/${dev}/queues/rx-0/rps_cpus`])
}

/**
 * Builds the lab (namespaces `fl-<run>-<name>a|m|b`) and starts delaylink with `link`.
 *
 * @throws when a step fails (everything built so far is removed first)
 */
export async function buildWanLab (name: string, link: LinkSettings): Promise<WanLab> {
  const a = `${NS_PREFIX}${RUN_TAG}-${name}a`
  const m = `${NS_PREFIX}${RUN_TAG}-${name}m`
  const b = `${NS_PREFIX}${RUN_TAG}-${name}b`
  let delaylink: ChildProcess | undefined
  let log = ''
  let built: Awaited<ReturnType<typeof buildDelaylink>> | undefined
  const stopLink = async (): Promise<void> => {
    const child = delaylink
    delaylink = undefined
    if (child == null || child.exitCode != null || child.signalCode != null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    const kill = setTimeout(() => child.kill('SIGKILL'), 2000)
    await exited
    clearTimeout(kill)
  }
  const setLink = async (settings: LinkSettings): Promise<void> => {
    await stopLink()
    if (built == null) throw new Error('the WAN lab was torn down')
    const args = ['-a', 'ma', '-b', 'mb', '-d', String(settings.rttMs / 2), '-l', String(settings.lossPercent ?? 0), '-r', String(settings.rateMbit ?? 0)]
    const child = spawn('ip', ['netns', 'exec', m, built.bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { log += chunk })
    delaylink = child
    await new Promise(resolve => setTimeout(resolve, 300))
    if (child.exitCode != null) throw new Error(`delaylink did not start: ${log}`)
  }
  const teardown = async (): Promise<void> => {
    await stopLink()
    for (const ns of [a, b, m]) await deleteNamespace(ns).catch(() => {})
    await built?.remove()
    built = undefined
  }
  try {
    built = await buildDelaylink()
    for (const ns of [a, m, b]) {
      await createNamespace(ns)
      await inNs(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
    }
    await ipIn(a, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'ma', 'netns', m])
    await ipIn(b, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'mb', 'netns', m])
    await ipIn(a, ['addr', 'add', `${ADDR_A}/24`, 'dev', 'eth0'])
    await ipIn(b, ['addr', 'add', `${ADDR_B}/24`, 'dev', 'eth0'])
    for (const [ns, dev] of [[a, 'eth0'], [b, 'eth0'], [m, 'ma'], [m, 'mb']] as const) {
      await wireSized(ns, dev)
      await ipIn(ns, ['link', 'set', 'dev', dev, 'up'])
    }
    await setLink(link)
  } catch (err) {
    await teardown()
    throw err
  }
  return { a, b, m, setLink, linkLog: () => log, teardown }
}
