/**
 * Invariant: `window.ferry` is the contract's FerryApi and nothing more — each page call invokes its own channel,
 * listeners receive the payload only (never the IPC event, whose `sender` is the raw ipcRenderer) and unsubscribe,
 * dropped files are resolved to paths inside the preload and sent as `sendLocalFiles`, and failures reject with the
 * error's `code` intact.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CALL_NAMES, ipcChannel } from '../../src-main/api/index.ts'
import { createPreloadApi, PAGE_CALLS } from '../../src-main/electron/preload-api.ts'
import type { PreloadDeps } from '../../src-main/electron/preload-api.ts'

type Listener = (event: unknown, payload: unknown) => void

function fakeIpc (reply: (channel: string, request: unknown) => unknown = () => ({ ok: true, result: { ok: true } })) {
  const invoked: Array<{ channel: string, request: unknown }> = []
  const listeners = new Map<string, Set<Listener>>()
  const paths = new Map<unknown, string>()
  const deps: PreloadDeps = {
    invoke: async (channel, request) => { invoked.push({ channel, request }); return reply(channel, request) },
    on: (channel, l) => { listeners.set(channel, (listeners.get(channel) ?? new Set()).add(l)) },
    removeListener: (channel, l) => { listeners.get(channel)?.delete(l) },
    getPathForFile: file => paths.get(file) ?? ''
  }
  const emit = (channel: string, payload: unknown): void => {
    const event = { sender: { invoke: () => 'raw ipcRenderer' }, senderId: 0 }
    for (const l of listeners.get(channel) ?? []) l(event, payload)
  }
  return { deps, invoked, listeners, paths, emit }
}

describe('preload API', () => {
  it('exposes exactly the page calls, sendFiles and on — no ipcRenderer, no host-only calls', () => {
    const api = createPreloadApi(fakeIpc().deps) as unknown as Record<string, unknown>
    assert.deepEqual(Object.keys(api).sort(), [...PAGE_CALLS, 'sendFiles', 'on'].sort())
    assert.deepEqual([...PAGE_CALLS].sort(), CALL_NAMES.filter(n => n !== 'sendLocalFiles' && n !== 'sendUpload').sort())
    assert.ok(Object.isFrozen(api))
    for (const value of Object.values(api)) assert.equal(typeof value, 'function')
  })

  it('each call invokes its own channel with the request and resolves with the result', async () => {
    const ipc = fakeIpc((channel) => ({ ok: true, result: { channel } }))
    const api = createPreloadApi(ipc.deps)
    assert.deepEqual(await api.getSnapshot({}), { channel: 'ferry:call:getSnapshot' })
    const transferId = '6f1d3c1e-8a77-4a0e-9d1f-2b1b5a7c9e10'
    await api.answerOffer({ transferId, accept: true })
    assert.deepEqual(ipc.invoked.at(-1), { channel: ipcChannel('answerOffer', 'call'), request: { transferId, accept: true } })
    for (const name of PAGE_CALLS) {
      await (api as unknown as Record<string, (r: unknown) => Promise<unknown>>)[name]!({})
      assert.equal(ipc.invoked.at(-1)!.channel, ipcChannel(name, 'call'))
    }
  })

  it('a failed call rejects with the error code, name and message as plain data', async () => {
    const api = createPreloadApi(fakeIpc(() => ({ ok: false, error: { name: 'ApiError', code: 'invalid-invite', message: 'Not a Ferry invite' } })).deps)
    await assert.rejects(api.addContact({ invite: 'x' }), (err: unknown) => {
      assert.deepEqual(err, { name: 'ApiError', code: 'invalid-invite', message: 'Not a Ferry invite' })
      return true
    })
    const broken = createPreloadApi(fakeIpc(() => undefined).deps)
    await assert.rejects(broken.getSnapshot({}), { code: 'internal' })
  })

  it('listeners get the payload only, never the IPC event, and unsubscribe', () => {
    const ipc = fakeIpc()
    const api = createPreloadApi(ipc.deps)
    const seen: unknown[][] = []
    const off = api.on('offer-closed', (...args: unknown[]) => { seen.push(args) })
    ipc.emit(ipcChannel('offer-closed', 'event'), { transferId: 't1' })
    ipc.emit(ipcChannel('transfer', 'event'), { id: 'other channel' })
    assert.deepEqual(seen, [[{ transferId: 't1' }]])
    off()
    off()
    ipc.emit(ipcChannel('offer-closed', 'event'), { transferId: 't2' })
    assert.equal(seen.length, 1)
    assert.equal(ipc.listeners.get(ipcChannel('offer-closed', 'event'))!.size, 0)
  })

  it('refuses to subscribe to a channel that is not a contract event', () => {
    const api = createPreloadApi(fakeIpc().deps)
    assert.throws(() => api.on('ferry:call:getSnapshot' as 'peers', () => {}), { code: 'invalid-request' })
  })

  it('sendFiles resolves each File through getPathForFile and invokes sendLocalFiles with paths', async () => {
    const ipc = fakeIpc(() => ({ ok: true, result: { transferId: 'tid' } }))
    const a = new File(['a'], 'a.txt')
    const b = new File(['b'], 'b.txt')
    ipc.paths.set(a, '/home/me/a.txt')
    ipc.paths.set(b, '/home/me/photos/b.txt')
    const api = createPreloadApi(ipc.deps)
    const peerId = '12D3KooWQqkQXeBdEzmhD79UBJVN8TmeJkR3MMBnzhWr8KsSfxA2'
    assert.deepEqual(await api.sendFiles(peerId, [{ file: a, relativePath: 'a.txt' }, { file: b, relativePath: 'photos/b.txt' }]), { transferId: 'tid' })
    assert.deepEqual(ipc.invoked, [{
      channel: ipcChannel('sendLocalFiles', 'call'),
      request: { peerId, files: [{ path: '/home/me/a.txt', relativePath: 'a.txt' }, { path: '/home/me/photos/b.txt', relativePath: 'photos/b.txt' }] }
    }])
  })

  it('sendFiles refuses a File with no path on disk (made by script) before invoking anything', async () => {
    const ipc = fakeIpc()
    const api = createPreloadApi(ipc.deps)
    await assert.rejects(api.sendFiles('12D3KooW', [{ file: new File(['x'], 'x'), relativePath: 'x' }]), { code: 'invalid-request' })
    await assert.rejects(api.sendFiles('12D3KooW', []), { code: 'invalid-request' })
    assert.equal(ipc.invoked.length, 0)
  })
})
