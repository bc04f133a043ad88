/**
 * Low-level helpers of the network lab: running `ip`/`iptables` inside network namespaces, checking the lab's
 * prerequisites, and removing namespaces (and the processes inside them) that a crashed earlier run left behind.
 *
 * Every namespace the lab creates is named `fl-<run tag>-<role>`, where the run tag is the creating process's PID in
 * base 36; a namespace whose creator is gone is a leftover. Nothing here touches the root namespace's interfaces,
 * routes or firewall: links are created directly inside the lab's namespaces (`ip -n <ns> link add … netns <other>`).
 */
import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/** Prefix of every lab namespace. */
export const NS_PREFIX = 'fl-'
/** This run's tag: namespaces `fl-<tag>-…` belong to this process. */
export const RUN_TAG = process.pid.toString(36)

/** Tools the lab runs, each found on `PATH` (Debian packages iproute2, iptables, coturn). */
export const REQUIRED_TOOLS = ['ip', 'iptables', 'turnserver'] as const

/** Runs a command and returns its stdout; throws with the command line and stderr on failure. */
export async function run (cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { maxBuffer: 4 * 1024 * 1024 })
    return stdout
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() ?? e.message}`, { cause: err })
  }
}

/** Runs `cmd args` inside namespace `ns`. */
export async function inNs (ns: string, cmd: string, args: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args])
}

/** Runs `ip args` against namespace `ns` (`ip -n ns …`). */
export async function ipIn (ns: string, args: string[]): Promise<string> {
  return run('ip', ['-n', ns, ...args])
}

/** Runs `iptables args` inside namespace `ns` (the netfilter tables are per namespace). */
export async function iptablesIn (ns: string, args: string[]): Promise<string> {
  return inNs(ns, 'iptables', ['-w', ...args])
}

/**
 * Why the lab cannot run here (not root, a tool missing, no namespace support), or undefined when it can. `tools`
 * narrows the tools needed (default {@link REQUIRED_TOOLS}); iptables is probed only when it is among them.
 */
export async function missingPrerequisite (tools: readonly string[] = REQUIRED_TOOLS): Promise<string | undefined> {
  if (process.platform !== 'linux') return `the network lab needs Linux network namespaces (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'the network lab needs root (network namespaces, iptables); CI runs it as root'
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin'])
  for (const tool of tools) {
    let found = false
    for (const dir of dirs) {
      found = await access(`${dir}/${tool}`, constants.X_OK).then(() => true, () => false)
      if (found) break
    }
    if (!found) return `the network lab needs "${tool}" (apt-get install iproute2 iptables coturn)`
  }
  const probe = `${NS_PREFIX}${RUN_TAG}-probe`
  try {
    await run('ip', ['netns', 'add', probe])
    if (tools.includes('iptables')) await iptablesIn(probe, ['-t', 'nat', '-L', '-n'])
  } catch (err) {
    return `network namespaces or iptables do not work here: ${(err as Error).message}`
  } finally {
    await deleteNamespace(probe).catch(() => {})
  }
  return undefined
}

/** Names of the existing network namespaces. */
export async function listNamespaces (): Promise<string[]> {
  const out = await run('ip', ['netns', 'list'])
  return out.split('\n').map(l => l.trim().split(/\s+/)[0] ?? '').filter(n => n !== '')
}

/** Creates namespace `name` with its loopback up. */
export async function createNamespace (name: string): Promise<void> {
  await run('ip', ['netns', 'add', name])
  await ipIn(name, ['link', 'set', 'lo', 'up'])
}

/** Kills the processes still inside namespace `name` (by PID), then deletes it (its links go with it). */
export async function deleteNamespace (name: string): Promise<void> {
  const pids = (await run('ip', ['netns', 'pids', name]).catch(() => '')).split('\n').map(Number).filter(p => p > 0)
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  await run('ip', ['netns', 'del', name])
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Deletes the lab namespaces of runs whose process is gone (a crashed or killed earlier run), with any process still
 * inside them. Returns their names.
 */
export async function removeLeftovers (): Promise<string[]> {
  const removed: string[] = []
  for (const name of await listNamespaces()) {
    const m = /^fl-([0-9a-z]+)-/.exec(name)
    if (m?.[1] == null) continue
    const pid = parseInt(m[1], 36)
    if (pid !== process.pid && alive(pid)) continue
    await deleteNamespace(name).catch(() => {})
    removed.push(name)
  }
  return removed
}

/**
 * Two namespaces `<prefix><run>-<name>a` / `…b` joined by a veth pair, `<subnet>.1/24` and `<subnet>.2/24` (e.g. subnet
 * `10.98.0`), each with a multicast route on its link (as a LAN host has through its default route), so mDNS queries
 * and answers go across and nowhere else. `teardown` deletes both.
 */
export async function buildVethLan (name: string, subnet: string): Promise<{ a: string, b: string, teardown: () => Promise<void> }> {
  const a = `${NS_PREFIX}${RUN_TAG}-${name}a`
  const b = `${NS_PREFIX}${RUN_TAG}-${name}b`
  const teardown = async (): Promise<void> => {
    for (const ns of [a, b]) await deleteNamespace(ns).catch(() => {})
  }
  try {
    await createNamespace(a)
    await createNamespace(b)
    await ipIn(a, ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', b])
    for (const [ns, ip] of [[a, `${subnet}.1`], [b, `${subnet}.2`]] as const) {
      await ipIn(ns, ['addr', 'add', `${ip}/24`, 'dev', 'eth0'])
      await ipIn(ns, ['link', 'set', 'eth0', 'up'])
      await ipIn(ns, ['route', 'add', '224.0.0.0/4', 'dev', 'eth0'])
    }
  } catch (err) {
    await teardown()
    throw err
  }
  return { a, b, teardown }
}
