/**
 * App-service fixtures: apps started on a {@link TestNetwork}'s loopback relay (no ICE servers, no mDNS, short
 * timeouts, presence checks rare enough to stay out of the way), and waiting for a contract event.
 */
import { join } from 'node:path'
import type { EventName, Events } from '../../src-main/api/index.ts'
import { startApp } from '../../src-main/app/index.ts'
import type { App, AppInit } from '../../src-main/app/index.ts'
import { TEST_TIMEOUTS } from '../helpers/peers.ts'
import type { TestNetwork } from '../helpers/peers.ts'

/** An app with its folders. */
export interface TestApp extends App {
  name: string
  dataDir: string
  downloadDir: string
}

/**
 * Starts app `name` with data under `<net.root>/<name>/data`, downloads in `<net.root>/<name>/downloads`, the test
 * relay, and waits until it holds a reservation (so others can reach it). Stop it with `app.stop()`.
 */
export async function startTestApp (net: TestNetwork, name: string, init: Partial<AppInit> = {}): Promise<TestApp> {
  const dataDir = join(net.root, name, 'data')
  const downloadDir = join(net.root, name, 'downloads')
  const app = await startApp({
    dataDir,
    downloadDir,
    relays: [net.relayAddr],
    iceServers: [],
    mdns: false,
    // No SSDP search on the machine's interfaces (the default is off too; said here as for mDNS).
    upnp: false,
    displayName: name,
    timeouts: TEST_TIMEOUTS,
    presence: { intervalMs: 60_000, misses: 2, checkTimeoutMs: 5_000 },
    host: { kind: 'headless' },
    ...init
  })
  if ((init.relays ?? [net.relayAddr]).length > 0) await app.peer.reachableAddrs({ timeoutMs: 10_000 })
  return Object.assign(app, { name, dataDir, downloadDir })
}

/** Records every payload of `event` from `app` until `off()`. */
export function record<E extends EventName> (app: App, event: E): { seen: Array<Events[E]>, off: () => void } {
  const seen: Array<Events[E]> = []
  const off = app.on(event, p => { seen.push(p) })
  return { seen, off }
}

/**
 * The first payload of `event` from `app` that satisfies `match`, emitted after this call.
 * @throws when none arrives within `timeoutMs`
 */
export async function nextEvent<E extends EventName> (app: App, event: E, match: (p: Events[E]) => boolean = () => true, timeoutMs = 30_000): Promise<Events[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no matching "${event}" event within ${timeoutMs} ms`)) }, timeoutMs)
    const off = app.on(event, (p) => {
      if (!match(p)) return
      clearTimeout(timer)
      off()
      resolve(p)
    })
  })
}
