/**
 * The worker side of the bench's IPC channel: send messages to the bench, handle its messages, report failures as
 * `{ type: 'error' }`, and exit when the bench asks (`exit`) or goes away (the IPC channel closes).
 */
import type { WorkerMessage } from '../proc.ts'

/** Sends `msg` to the bench. */
export function tell (msg: WorkerMessage): void {
  process.send?.(msg)
}

/** Reports `err` to the bench (which rejects its pending wait with it). */
export function fail (err: unknown): void {
  tell({ type: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) })
}

/**
 * Calls `handler` for every message from the bench; errors it throws are reported with {@link fail}. On `exit` (or
 * when the bench disconnects) `cleanup` runs, then the process exits.
 */
export function serve (handler: (msg: WorkerMessage) => Promise<void> | void, cleanup: () => Promise<void> | void = () => {}): void {
  let exiting = false
  const exit = async (): Promise<void> => {
    if (exiting) return
    exiting = true
    const force = setTimeout(() => process.exit(0), 5000)
    force.unref()
    try { await cleanup() } catch { /* exiting anyway */ }
    process.exit(0)
  }
  process.on('message', (msg: WorkerMessage) => {
    if (msg.type === 'exit') { void exit(); return }
    Promise.resolve().then(async () => handler(msg)).catch(fail)
  })
  process.on('disconnect', () => { void exit() })
}
