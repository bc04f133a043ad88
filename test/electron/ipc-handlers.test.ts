/**
 * Invariant: every contract call the shell serves has one IPC handler; an untrusted sender is refused before the
 * request is parsed or dispatched; a malformed request is `invalid-request` and never reaches the core; paths sent
 * by the preload are re-checked on disk in main; events reach the window on their own channels.
 */
import assert from 'node:assert/strict'
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { IpcMainInvokeEvent } from 'electron'
import { CALL_NAMES, ipcChannel } from '../../src-main/api/index.ts'
import type { ApiHandlers, EventName, Events } from '../../src-main/api/index.ts'
import { ELECTRON_CALLS, forwardEvents, registerIpcHandlers } from '../../src-main/electron/ipc.ts'
import type { IpcMainLike, IpcReply } from '../../src-main/electron/ipc.ts'
import { tempDir } from '../helpers/files.ts'

const PEER = '12D3KooWQqkQXeBdEzmhD79UBJVN8TmeJkR3MMBnzhWr8KsSfxA2'
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>

function setup (trusted: (event: IpcMainInvokeEvent) => boolean = () => true) {
  const channels = new Map<string, Handler>()
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      assert.ok(!channels.has(channel), `registered twice: ${channel}`)
      channels.set(channel, listener)
    },
    removeHandler: channel => { channels.delete(channel) }
  }
  const calls: Array<{ name: string, request: unknown }> = []
  const handlers = Object.fromEntries(CALL_NAMES.map(name => [name, async (request: unknown) => {
    calls.push({ name, request })
    if (name === 'addContact') throw Object.assign(new Error('Not a Ferry invite'), { name: 'InviteError', code: 'invalid-invite' })
    return { handled: name }
  }])) as unknown as ApiHandlers
  const controller = new AbortController()
  const unregister = registerIpcHandlers({ ipcMain, handlers, isTrusted: trusted, signal: controller.signal })
  const invoke = async (name: string, request: unknown, event = {} as IpcMainInvokeEvent): Promise<IpcReply> => {
    const handler = channels.get(ipcChannel(name as 'getSnapshot', 'call'))
    assert.ok(handler, `no handler for ${name}`)
    return await handler(event, request) as IpcReply
  }
  return { channels, calls, invoke, unregister }
}

describe('IPC handlers', () => {
  let dir: string
  before(async () => {
    dir = await tempDir('ferry-electron-ipc-')
    await writeFile(path.join(dir, 'a.txt'), 'a')
    await mkdir(path.join(dir, 'folder'))
    await writeFile(path.join(dir, 'locked.txt'), 'x')
    await chmod(path.join(dir, 'locked.txt'), 0o000)
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('registers one handler per call except the headless-only sendUpload, and removes them all', () => {
    const { channels, unregister } = setup()
    assert.deepEqual([...channels.keys()].sort(), ELECTRON_CALLS.map(n => ipcChannel(n, 'call')).sort())
    assert.equal(channels.size, CALL_NAMES.length - 1)
    assert.ok(!channels.has(ipcChannel('sendUpload', 'call')))
    unregister()
    assert.equal(channels.size, 0)
  })

  it('refuses an untrusted sender before parsing or dispatching anything', async () => {
    const seen: unknown[] = []
    const { invoke, calls } = setup(event => { seen.push(event); return false })
    const event = { senderFrame: { url: 'https://evil.example/' } } as unknown as IpcMainInvokeEvent
    const reply = await invoke('getSnapshot', {}, event)
    assert.deepEqual(reply, { ok: false, error: { name: 'ApiError', code: 'untrusted-sender', message: 'This window may not call Ferry' } })
    const files = await invoke('sendLocalFiles', { peerId: PEER, files: [{ path: path.join(dir, 'a.txt'), relativePath: 'a.txt' }] }, event)
    assert.equal(files.ok ? 'ok' : files.error.code, 'untrusted-sender')
    assert.deepEqual(seen, [event, event])
    assert.equal(calls.length, 0)
  })

  it('a malformed request is invalid-request and never reaches the core; a valid one is dispatched', async () => {
    const { invoke, calls } = setup()
    for (const [name, request] of [
      ['getSnapshot', { extra: 1 }], ['answerOffer', { transferId: 'not-a-uuid', accept: true }], ['removeContact', { peerId: '0OIl' }],
      ['updateSettings', { relays: 'not an array' }], ['listHistory', { limit: 1e9 }]
    ] as const) {
      const reply = await invoke(name, request)
      assert.equal(reply.ok ? 'ok' : reply.error.code, 'invalid-request', name)
    }
    assert.equal(calls.length, 0)
    assert.deepEqual(await invoke('getSnapshot', undefined), { ok: true, result: { handled: 'getSnapshot' } })
    assert.deepEqual(calls, [{ name: 'getSnapshot', request: {} }])
  })

  it("a handler's error crosses with its name and code", async () => {
    const { invoke } = setup()
    assert.deepEqual(await invoke('addContact', { invite: 'garbage' }), { ok: false, error: { name: 'InviteError', code: 'invalid-invite', message: 'Not a Ferry invite' } })
  })

  it('sendLocalFiles paths are re-checked in main, with the app service\'s rules: only readable regular files reach the core', async () => {
    const { invoke, calls } = setup()
    const send = async (p: string, relativePath = 'x'): Promise<string> => {
      const reply = await invoke('sendLocalFiles', { peerId: PEER, files: [{ path: p, relativePath }] })
      return reply.ok ? 'ok' : reply.error.code
    }
    await symlink(path.join(dir, 'a.txt'), path.join(dir, 'link.txt'))
    assert.equal(await send('relative/a.txt'), 'invalid-path')
    assert.equal(await send(`${dir}/folder/../a.txt`), 'invalid-path', 'not normalised')
    assert.equal(await send(path.join(dir, 'a.txt'), '../a.txt'), 'unsafe-path')
    assert.equal(await send(path.join(dir, 'a.txt'), '/etc/a.txt'), 'unsafe-path')
    assert.equal(await send(path.join(dir, 'a.txt'), 'CON'), 'unsafe-path', 'a reserved Windows name')
    assert.equal(await send(path.join(dir, 'missing.txt')), 'source-unreadable')
    assert.equal(await send(path.join(dir, 'folder'), 'folder'), 'invalid-path', 'a folder is sent as its files')
    assert.equal(await send(path.join(dir, 'link.txt'), 'link.txt'), 'invalid-path', 'links are not followed')
    assert.equal(await send('/dev/null'), 'invalid-path')
    if (process.getuid?.() !== 0) assert.equal(await send(path.join(dir, 'locked.txt')), 'source-unreadable')
    const twice = await invoke('sendLocalFiles', { peerId: PEER, files: [{ path: path.join(dir, 'a.txt'), relativePath: 'a.txt' }, { path: path.join(dir, 'a.txt'), relativePath: 'A.txt' }] })
    assert.equal(twice.ok ? 'ok' : twice.error.code, 'unsafe-path', 'names that collide on case-insensitive disks')
    assert.equal(calls.length, 0)
    assert.equal(await send(path.join(dir, 'a.txt'), 'a.txt'), 'ok')
    assert.equal(await send(path.join(dir, 'a.txt'), 'photos/2024/a.txt'), 'ok')
    assert.deepEqual(calls.map(c => c.name), ['sendLocalFiles', 'sendLocalFiles'])
  })

  it('forwards every contract event to its channel and stops when unsubscribed', () => {
    const listeners = new Map<string, Set<(p: unknown) => void>>()
    const source = {
      on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => {
        const set = listeners.get(event) ?? new Set()
        listeners.set(event, set)
        set.add(listener as (p: unknown) => void)
        return () => { set.delete(listener as (p: unknown) => void) }
      }
    }
    const sent: Array<[string, unknown]> = []
    const stop = forwardEvents(source, (channel, payload) => { sent.push([channel, payload]) })
    for (const l of listeners.get('offer-closed')!) l({ transferId: 't' })
    for (const l of listeners.get('notice')!) l({ level: 'info', code: 'c', message: 'm' })
    assert.deepEqual(sent, [['ferry:event:offer-closed', { transferId: 't' }], ['ferry:event:notice', { level: 'info', code: 'c', message: 'm' }]])
    stop()
    assert.ok([...listeners.values()].every(s => s.size === 0))
  })
})
