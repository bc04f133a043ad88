/**
 * Invariant: one socket cannot pile up unbounded work: past `MAX_PENDING_CALLS` calls running at once, further calls
 * are answered `too-many-calls` without running, and the socket works again once calls finish; closing a socket
 * aborts the signal of every call it left running.
 *
 * The real app service is used, with `getSnapshot` held until the test releases it (the only way to keep calls running
 * for as long as the test needs).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ApiHandlers } from '../../src-main/api/index.ts'
import { MAX_PENDING_CALLS, startServer } from '../../src-main/server/index.ts'
import type { FerryServer } from '../../src-main/server/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'
import { callOver, makeStaticDir, openSocket } from './fixture.ts'

describe('headless server: pending calls per socket are limited', () => {
  let net: TestNetwork
  let app: TestApp
  let server: FerryServer
  let release: () => void = () => {}
  const held: AbortSignal[] = []
  /** Waits until `n` calls reached the held handler. */
  const heldUntil = async (n: number): Promise<void> => {
    while (held.length < n) await new Promise(resolve => setTimeout(resolve, 10))
  }

  before(async () => {
    const root = await tempDir('ferry-server-pending-')
    net = await TestNetwork.start(root)
    app = await startTestApp(net, 'alice')
    let gate = Promise.withResolvers<void>()
    release = () => { gate.resolve(); gate = Promise.withResolvers<void>() }
    const handlers: ApiHandlers = {
      ...app.handlers,
      getSnapshot: async (request, signal) => {
        held.push(signal)
        await Promise.race([gate.promise, new Promise(resolve => signal.addEventListener('abort', resolve, { once: true }))])
        return app.handlers.getSnapshot(request, signal)
      }
    }
    server = await startServer({ app: { handlers, on: app.on, sendPrepared: app.sendPrepared }, staticDir: await makeStaticDir(root), dataDir: app.dataDir })
  })
  after(async () => {
    release()
    await server?.close()
    await app?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it(`calls past ${MAX_PENDING_CALLS} running are refused; the socket works again once they finish`, async () => {
    const opened = await openSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`)
    assert.ok('ws' in opened)
    opened.ws.setMaxListeners(MAX_PENDING_CALLS + 10)
    const running = Array.from({ length: MAX_PENDING_CALLS }, (_, i) => callOver(opened.ws, i, 'getSnapshot', {}))
    const refused = await callOver(opened.ws, 'one-too-many', 'getSnapshot', {})
    assert.equal(refused.ok, false)
    assert.equal((refused.error as { code: string }).code, 'too-many-calls')
    release()
    const answers = await Promise.all(running)
    assert.ok(answers.every(a => a.ok === true))
    const heldBefore = held.length
    const again = callOver(opened.ws, 'again', 'getSnapshot', {})
    await heldUntil(heldBefore + 1)
    release()
    assert.equal((await again).ok, true)
    opened.ws.close()
  })

  it('closing the socket aborts the calls it left running', async () => {
    held.length = 0
    const opened = await openSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`)
    assert.ok('ws' in opened)
    opened.ws.send(JSON.stringify({ id: 1, call: 'getSnapshot', request: {} }))
    opened.ws.send(JSON.stringify({ id: 2, call: 'getSnapshot', request: {} }))
    await heldUntil(2)
    opened.ws.close()
    await Promise.all(held.map(s => new Promise(resolve => s.aborted ? resolve(undefined) : s.addEventListener('abort', resolve, { once: true }))))
    assert.ok(held.every(s => s.aborted))
  })
})
