/**
 * Invariant: with the core in a utility process, the main process sees the same app service it would see in
 * process — calls are validated and dispatched in the core, results and error codes come back to the caller that
 * made them, aborts reach the core's handler, events arrive, the core's host calls (show in folder, folder picker)
 * run in main, and stopping or losing the process settles every pending call. Tested over a real MessageChannel.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MessageChannel } from 'node:worker_threads'
import type { MessagePort } from 'node:worker_threads'
import { CALL_NAMES, dispatch } from '../../src-main/api/index.ts'
import type { ApiHandlers, EventName, Events } from '../../src-main/api/index.ts'
import { connectCore, serveCore } from '../../src-main/electron/core-rpc.ts'
import type { AppLike, HostCalls, Port } from '../../src-main/electron/core-rpc.ts'

const TRANSFER = '6f1d3c1e-8a77-4a0e-9d1f-2b1b5a7c9e10'

function port (p: MessagePort): Port {
  return {
    post: m => { p.postMessage(m) },
    onMessage: l => { p.on('message', l); return () => { p.off('message', l) } }
  }
}

/** A fake app service whose handlers record calls; `chooseDownloadDir` and `showInFolder` use the host. */
function fakeApp (host: HostCalls, log: string[]) {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  let releaseSlow: () => void = () => {}
  const handlers = Object.fromEntries(CALL_NAMES.map(name => [name, async (request: unknown, signal: AbortSignal) => {
    log.push(`call ${name}`)
    if (name === 'getSnapshot') return { snapshot: true }
    if (name === 'addContact') throw Object.assign(new Error('Not a Ferry invite'), { name: 'InviteError', code: 'invalid-invite' })
    if (name === 'chooseDownloadDir') return { downloadDir: await host.chooseDownloadDir(signal) }
    if (name === 'showInFolder') { await host.showInFolder('/downloads/a.txt'); return { ok: true } }
    if (name === 'cancelTransfer') {
      return await new Promise((resolve, reject) => {
        releaseSlow = () => { resolve({ ok: true }) }
        signal.addEventListener('abort', () => { log.push('aborted in core'); reject(signal.reason) })
      })
    }
    return { request }
  }])) as unknown as ApiHandlers
  const app: AppLike = {
    handlers,
    on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as (p: unknown) => void)
      return () => { set.delete(listener as (p: unknown) => void) }
    },
    stop: async () => { log.push('app stopped') }
  }
  const emit = (event: string, payload: unknown): void => { for (const l of listeners.get(event) ?? []) l(payload) }
  return { app, emit, listeners, release: () => { releaseSlow() } }
}

async function pair (hostImpl: Partial<HostCalls> = {}) {
  const { port1, port2 } = new MessageChannel()
  const log: string[] = []
  let fake!: ReturnType<typeof fakeApp>
  let initSeen: unknown
  const served = serveCore(port(port2), async (init, host) => { initSeen = init; fake = fakeApp(host, log); return fake.app })
  const host: HostCalls = {
    showInFolder: hostImpl.showInFolder ?? (async p => { log.push(`main shows ${p}`) }),
    chooseDownloadDir: hostImpl.chooseDownloadDir ?? (async () => '/home/me/Downloads')
  }
  const client = connectCore(port(port1), { dataDir: '/data' }, host)
  await client.started
  const close = async (): Promise<void> => {
    await client.stop()
    await served
    port1.close()
    port2.close()
  }
  return { client, fake: () => fake, log, initSeen: () => initSeen, close, served, port1, port2 }
}

describe('core in a utility process: message protocol', () => {
  it('starts the app with main\'s init and answers calls with their own results', async () => {
    const p = await pair()
    assert.deepEqual(p.initSeen(), { dataDir: '/data' })
    const signal = AbortSignal.timeout(10_000)
    const [a, b] = await Promise.all([
      p.client.handlers.getSnapshot({}, signal),
      p.client.handlers.getTransfer({ transferId: TRANSFER }, signal)
    ])
    assert.deepEqual(a, { snapshot: true })
    assert.deepEqual(b, { request: { transferId: TRANSFER } })
    await p.close()
    assert.ok(p.log.includes('app stopped'))
  })

  it('validates in the core and keeps error names and codes', async () => {
    const p = await pair()
    const signal = AbortSignal.timeout(10_000)
    await assert.rejects(p.client.handlers.getTransfer({ transferId: 'nope' }, signal), { name: 'ApiError', code: 'invalid-request' })
    await assert.rejects(p.client.handlers.addContact({ invite: 'x' }, signal), { name: 'InviteError', code: 'invalid-invite' })
    // main's IPC layer dispatches through the proxy: the envelope carries the core's code
    assert.deepEqual(await dispatch(p.client.handlers, 'addContact', { invite: 'x' }, signal), { ok: false, error: { name: 'InviteError', code: 'invalid-invite', message: 'Not a Ferry invite' } })
    assert.ok(!p.log.includes('call getTransfer'), 'an invalid request never reaches the handler')
    await p.close()
  })

  it('an abort in main aborts the handler in the core', async () => {
    const p = await pair()
    const controller = new AbortController()
    const pending = p.client.handlers.cancelTransfer({ transferId: TRANSFER }, controller.signal)
    while (!p.log.includes('call cancelTransfer')) await new Promise(resolve => setImmediate(resolve))
    controller.abort()
    await assert.rejects(pending, { code: 'aborted' })
    assert.ok(p.log.includes('aborted in core'))
    await p.close()
  })

  it('forwards events to main listeners, which can unsubscribe', async () => {
    const p = await pair()
    const got: unknown[] = []
    const off = p.client.on('offer-closed', payload => { got.push(payload) })
    p.fake().emit('offer-closed', { transferId: TRANSFER })
    p.fake().emit('notice', { level: 'info', code: 'x', message: 'y' })
    while (got.length === 0) await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(got, [{ transferId: TRANSFER }])
    off()
    p.fake().emit('offer-closed', { transferId: 'again' })
    await p.client.handlers.getSnapshot({}, AbortSignal.timeout(10_000))
    assert.equal(got.length, 1)
    await p.close()
    assert.ok([...p.fake().listeners.values()].every(s => s.size === 0), 'the core unsubscribed from the app on stop')
  })

  it('host calls made by the core run in main, including their failures', async () => {
    const p = await pair()
    const signal = AbortSignal.timeout(10_000)
    assert.deepEqual(await p.client.handlers.chooseDownloadDir({}, signal), { downloadDir: '/home/me/Downloads' })
    assert.deepEqual(await p.client.handlers.showInFolder({ transferId: TRANSFER }, signal), { ok: true })
    assert.ok(p.log.includes('main shows /downloads/a.txt'))
    await p.close()

    const failing = await pair({ showInFolder: async () => { throw Object.assign(new Error('gone'), { code: 'file-not-found' }) } })
    await assert.rejects(failing.client.handlers.showInFolder({ transferId: TRANSFER }, signal), { code: 'file-not-found' })
    await failing.close()
  })

  it('losing the core process settles pending and later calls with core-stopped', async () => {
    const p = await pair()
    const pending = p.client.handlers.cancelTransfer({ transferId: TRANSFER }, AbortSignal.timeout(10_000))
    while (!p.log.includes('call cancelTransfer')) await new Promise(resolve => setImmediate(resolve))
    p.client.close('The core process exited (code 1)')
    await assert.rejects(pending, { code: 'core-stopped', message: 'The core process exited (code 1)' })
    await assert.rejects(p.client.handlers.getSnapshot({}, AbortSignal.timeout(10_000)), { code: 'core-stopped' })
    await p.client.stop() // resolves at once: the connection is closed
    p.fake().release()
    p.port1.close()
    p.port2.close()
  })

  it('a core that fails to start reports why', async () => {
    const { port1, port2 } = new MessageChannel()
    const served = serveCore(port(port2), async () => { throw Object.assign(new Error('database is locked'), { code: 'store-locked' }) })
    const client = connectCore(port(port1), {}, { showInFolder: async () => {}, chooseDownloadDir: async () => null })
    await assert.rejects(client.started, { code: 'store-locked', message: 'database is locked' })
    await served
    client.close()
    port1.close()
    port2.close()
  })
})
