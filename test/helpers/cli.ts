/**
 * Runs the real `ferry` command as child processes (each a separate OS process with its own libp2p node) and reads
 * its `--json` events. Every process started here is tracked; {@link stopAll} ends any still running, so a test run
 * leaves no process behind.
 *
 * The environment of every process points the network defaults at nothing (`FERRY_RELAYS=none`,
 * `FERRY_ICE_SERVERS=none`), turns LAN discovery off (`FERRY_MDNS=off`: no multicast on the machine's real
 * interfaces; the netns tests turn it on inside their own namespaces) and router port mapping off (`FERRY_UPNP=off`: no
 * SSDP search; the UPnP lab cell turns it on inside its namespace): tests never contact anything beyond loopback.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import { rm, tempDir } from './files.ts'

const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url))
const running = new Set<FerryProcess>()

/** Where a `ferry` process runs. */
export interface SpawnOptions {
  /** A network namespace to run it in (`ip netns exec`; needs root): the network lab's hosts (test/netlab). */
  netns?: string
  /**
   * A command that runs Node with the arguments appended, and must end by exec-ing them so the child's PID stays
   * Node's (e.g. `unshare --uts -- sh -c 'hostname alpha && exec "$@"' sh`: a machine with another host name).
   */
  wrap?: string[]
}

/** A parsed `--json` line. */
export interface Event {
  event: string
  [key: string]: unknown
}

/** A running `ferry` process. */
export class FerryProcess {
  readonly child: ChildProcess
  readonly events: Event[] = []
  stderr = ''
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>
  exitedAt: number | undefined
  private readonly listeners = new Set<() => void>()

  constructor (args: string[], env: NodeJS.ProcessEnv = {}, options: SpawnOptions = {}) {
    const argv = [BIN, ...args, '--json']
    // `ip netns exec` enters the namespace and then execs Node, so the child's PID (and signals) are Node's own.
    const command = options.wrap != null
      ? [...options.wrap, process.execPath, ...argv]
      : options.netns == null ? [process.execPath, ...argv] : ['ip', 'netns', 'exec', options.netns, process.execPath, ...argv]
    this.child = spawn(command[0] ?? process.execPath, command.slice(1), {
      env: { ...process.env, FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none', FERRY_MDNS: 'off', FERRY_UPNP: 'off', ...env },
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let pending = ''
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (line.trim() === '') continue
        try {
          this.events.push(JSON.parse(line) as Event)
        } catch {
          this.stderr += `[unparsed stdout] ${line}\n`
        }
      }
      for (const l of this.listeners) l()
    })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.stderr += chunk })
    this.exited = new Promise(resolve => this.child.once('exit', (code, signal) => {
      this.exitedAt = Date.now()
      running.delete(this)
      for (const l of this.listeners) l()
      resolve(code ?? signal ?? -1)
    }))
    running.add(this)
  }

  /** The first event named `name` matching `where`, waiting up to `timeoutMs` for it. */
  async waitFor (name: string, timeoutMs = 30_000, where: (e: Event) => boolean = () => true): Promise<Event> {
    const found = (): Event | undefined => this.events.find(e => e.event === name && where(e))
    const hit = found()
    if (hit != null) return hit
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.listeners.delete(check); reject(new Error(`no "${name}" event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.filter(e => e.event !== 'progress'))}; stderr: ${this.stderr}`)) }, timeoutMs)
      const check = (): void => {
        const e = found()
        if (e != null) { clearTimeout(timer); this.listeners.delete(check); resolve(e) } else if (this.exitedAt != null) { clearTimeout(timer); this.listeners.delete(check); reject(new Error(`exited before a "${name}" event; events: ${JSON.stringify(this.events.filter(e => e.event !== 'progress'))}; stderr: ${this.stderr}`)) }
      }
      this.listeners.add(check)
    })
  }

  /** Waits for the process to exit on its own, at most `timeoutMs`, and returns its exit code. */
  async exitCode (timeoutMs = 30_000): Promise<number | string> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs) })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Sends `signal` and waits for the exit. */
  async stop (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    if (this.exitedAt == null) this.child.kill(signal)
    return this.exited
  }
}

/** Starts `ferry <args> --json` (in network namespace `options.netns` if given). */
export function ferry (args: string[], env?: NodeJS.ProcessEnv, options?: SpawnOptions): FerryProcess {
  return new FerryProcess(args, env, options)
}

/** Kills every `ferry` process still running (SIGKILL after 5 s of SIGTERM). */
export async function stopAll (): Promise<void> {
  await Promise.all([...running].map(async p => {
    const kill = setTimeout(() => p.child.kill('SIGKILL'), 5000)
    await p.stop()
    clearTimeout(kill)
  }))
}

/**
 * Starts a relay (on loopback unless `options.listen` says otherwise; extra `options.args` such as `--relay-data`) and
 * returns it with its TCP multiaddr.
 */
export async function startRelay (dataDir: string, options: SpawnOptions & { listen?: string, args?: string[] } = {}): Promise<{ relay: FerryProcess, addr: string }> {
  const relay = ferry(['relay', '--listen', options.listen ?? '/ip4/127.0.0.1/tcp/0', '--data-dir', dataDir, ...(options.args ?? [])], undefined, options)
  const listening = await relay.waitFor('listening')
  const addr = (listening.addrs as string[]).find(a => a.includes('/tcp/') && !a.includes('/ws'))
  if (addr == null) throw new Error(`relay has no TCP address: ${JSON.stringify(listening)}`)
  return { relay, addr }
}

/**
 * For the describe block it is called in: before its tests, a temp folder (`prefix`) with a `ferry relay` in
 * `<dir>/relay`; after them, every ferry process stopped and the folder removed. `dir` and `relayAddr` are set once
 * the block's first `before` ran (hooks registered after this call run after it, so they can use both).
 */
export function relayForSuite (prefix?: string): { dir: string, relayAddr: string } {
  const suite = { dir: '', relayAddr: '' }
  before(async () => {
    suite.dir = await tempDir(prefix)
    suite.relayAddr = (await startRelay(join(suite.dir, 'relay'))).addr
  })
  after(async () => {
    await stopAll()
    if (suite.dir !== '') await rm(suite.dir, { recursive: true, force: true })
  })
  return suite
}

/** `ferry history --json` of a data directory: its transfers. */
export async function history (dataDir: string): Promise<Event[]> {
  const p = ferry(['history', '--data-dir', dataDir])
  const code = await p.exitCode()
  if (code !== 0) throw new Error(`history exited ${code}: ${p.stderr}`)
  return p.events.filter(e => e.event === 'transfer')
}
