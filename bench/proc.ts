/**
 * Bench worker processes: each ceiling peer runs in its own OS process (a real transfer is two processes), started
 * with `fork` so the bench talks to it over Node's IPC channel. Every worker started here is tracked;
 * {@link stopAllWorkers} ends any still running, so a bench run leaves no process behind.
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** A message between the bench and a worker: a `type` and fields. */
export interface WorkerMessage {
  type: string
  [key: string]: unknown
}

const running = new Set<Worker>()

/** A running bench worker (`bench/workers/<name>.ts`). */
export class Worker {
  readonly child: ChildProcess
  readonly name: string
  stderr = ''
  private readonly inbox: WorkerMessage[] = []
  private readonly listeners = new Set<() => void>()
  private exited = false
  readonly exitedPromise: Promise<void>

  /** Starts `bench/workers/<name>.ts` with `args`; `onMessage` gets its `signal` messages (SDP, candidates). */
  constructor (name: string, args: string[] = [], onMessage?: (msg: WorkerMessage) => void) {
    this.name = name
    const script = fileURLToPath(new URL(`./workers/${name}.ts`, import.meta.url))
    this.child = fork(script, args, { execPath: process.execPath, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.stderr = (this.stderr + chunk).slice(-8000) })
    this.child.on('message', (msg: WorkerMessage) => {
      if (onMessage != null && msg.type === 'signal') { onMessage(msg); return }
      this.inbox.push(msg)
      for (const l of this.listeners) l()
    })
    this.exitedPromise = new Promise(resolve => this.child.once('exit', () => {
      this.exited = true
      running.delete(this)
      for (const l of this.listeners) l()
      resolve()
    }))
    running.add(this)
  }

  get pid (): number {
    return this.child.pid ?? -1
  }

  /** Sends a message to the worker (ignored once it has exited). */
  send (msg: WorkerMessage): void {
    if (!this.exited && this.child.connected) this.child.send(msg)
  }

  /**
   * The next message of type `type` (taken out of the inbox), waiting up to `timeoutMs`.
   * @throws {Error} when the worker reports `{ type: 'error' }`, exits first, or the time runs out
   */
  async next (type: string, timeoutMs = 60_000): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const failed = this.inbox.findIndex(m => m.type === 'error')
        if (failed >= 0) { done(); reject(new Error(`${this.name}: ${String(this.inbox[failed]?.message)}`)); return true }
        const at = this.inbox.findIndex(m => m.type === type)
        if (at >= 0) { const [msg] = this.inbox.splice(at, 1); done(); resolve(msg as WorkerMessage); return true }
        if (this.exited) { done(); reject(new Error(`${this.name} exited before "${type}"; stderr: ${this.stderr}`)); return true }
        return false
      }
      const timer = setTimeout(() => { done(); reject(new Error(`${this.name}: no "${type}" within ${timeoutMs} ms; stderr: ${this.stderr}`)) }, timeoutMs)
      const done = (): void => { clearTimeout(timer); this.listeners.delete(listener) }
      const listener = (): void => { check() }
      if (!check()) this.listeners.add(listener)
    })
  }

  /** Asks the worker to exit (`{ type: 'exit' }`), then SIGKILLs it after `graceMs`. */
  async stop (graceMs = 5000): Promise<void> {
    if (this.exited) return
    this.send({ type: 'exit' })
    const kill = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await this.exitedPromise
    clearTimeout(kill)
  }
}

/** Stops every worker still running. */
export async function stopAllWorkers (): Promise<void> {
  await Promise.all([...running].map(async w => w.stop()))
}

/** Epoch time in ms with sub-ms precision, comparable between processes on one machine. */
export function nowMs (): number {
  return performance.timeOrigin + performance.now()
}
