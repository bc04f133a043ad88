/**
 * Invariant: the desktop app's "Open" (`openFile`) reaches `shell.openPath` only for a received file Ferry placed,
 * looked up in the store by transfer ID and file index — the request can name no path (the schema refuses one) —
 * and never for a file that would run as a program (`runs-code`, refused in the core and again in main before the
 * shell); an untrusted sender is refused before anything is looked up. Tested in Node: the real app service behind
 * the shell's IPC handlers, and the core process's host call over a real MessageChannel.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MessageChannel } from 'node:worker_threads'
import type { MessagePort } from 'node:worker_threads'
import type { IpcMainInvokeEvent } from 'electron'
import { CALL_NAMES, ipcChannel } from '../../src-main/api/index.ts'
import type { ApiHandlers } from '../../src-main/api/index.ts'
import { startApp } from '../../src-main/app/index.ts'
import type { App } from '../../src-main/app/index.ts'
import { connectCore, serveCore } from '../../src-main/electron/core-rpc.ts'
import type { AppLike, Port } from '../../src-main/electron/core-rpc.ts'
import { registerIpcHandlers } from '../../src-main/electron/ipc.ts'
import type { IpcReply } from '../../src-main/electron/ipc.ts'
import { tempDir } from '../helpers/files.ts'

/** The transfer the fake core answers by asking main to open a program. */
const PROGRAM = '6f1d3c1e-8a77-4a0e-9d1f-2b1b5a7c9e10'

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>

describe('Open a received file (desktop app)', () => {
  let dir: string
  let app: App
  const opened: string[] = []
  const channels = new Map<string, Handler>()
  let trusted = true
  let transferId: string

  const invoke = async (request: unknown): Promise<IpcReply> => await (channels.get(ipcChannel('openFile', 'call')) as Handler)({} as IpcMainInvokeEvent, request) as IpcReply

  before(async () => {
    dir = await tempDir('ferry-electron-open-')
    const downloadDir = path.join(dir, 'downloads')
    app = await startApp({
      dataDir: path.join(dir, 'data'), downloadDir, relays: [], iceServers: [], mdns: false, upnp: false,
      host: { kind: 'electron', showInFolder: async () => {}, openPath: async p => { opened.push(p) } }
    })
    registerIpcHandlers({
      ipcMain: { handle: (channel, listener) => { channels.set(channel, listener) }, removeHandler: channel => { channels.delete(channel) } },
      handlers: app.handlers,
      isTrusted: () => trusted,
      signal: AbortSignal.timeout(60_000)
    })
    await mkdir(downloadDir, { recursive: true })
    await writeFile(path.join(downloadDir, 'report (1).pdf'), 'pdf')
    await writeFile(path.join(downloadDir, 'setup.EXE'), 'MZ')
    transferId = randomUUID()
    const store = app.peer.store
    store.transfers.create({
      id: transferId, direction: 'receive', peerId: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', state: 'completed', totalBytes: 5, fileCount: 3, destDir: downloadDir,
      files: [{ relPath: 'report.pdf', size: 3 }, { relPath: 'setup.EXE', size: 2 }, { relPath: 'not-accepted.txt', size: 1 }]
    })
    store.transfers.fileDone(transferId, 0, { state: 'verified', sha256: '0'.repeat(64), localPath: path.join(downloadDir, 'report (1).pdf') })
    store.transfers.fileDone(transferId, 1, { state: 'verified', sha256: '0'.repeat(64), localPath: path.join(downloadDir, 'setup.EXE') })
    store.transfers.fileDone(transferId, 2, { state: 'skipped' })
  })
  after(async () => {
    await app?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('opens the file placed for that transfer and index — under the name it was saved as', async () => {
    const reply = await invoke({ transferId, fileIndex: 0 })
    assert.deepEqual(reply, { ok: true, result: { ok: true } })
    assert.deepEqual(opened, [path.join(dir, 'downloads', 'report (1).pdf')])
    const view = await app.handlers.getTransfer({ transferId }, AbortSignal.timeout(5000))
    assert.equal(view.files?.[0]?.savedName, 'report (1).pdf', 'the view shows the saved name')
  })

  it('refuses a program, a file not accepted, an unknown index, and any path in the request; opens nothing', async () => {
    opened.length = 0
    const cases: Array<[unknown, string]> = [
      [{ transferId, fileIndex: 1 }, 'runs-code'],
      [{ transferId, fileIndex: 2 }, 'not-available'],
      [{ transferId, fileIndex: 7 }, 'not-available'],
      [{ transferId: randomUUID(), fileIndex: 0 }, 'not-available'],
      [{ transferId, fileIndex: 0, path: '/etc/passwd' }, 'invalid-request'],
      [{ transferId, fileIndex: -1 }, 'invalid-request']
    ]
    for (const [request, code] of cases) {
      const reply = await invoke(request)
      assert.equal(reply.ok ? 'ok' : reply.error.code, code, JSON.stringify(request))
    }
    trusted = false
    const refused = await invoke({ transferId, fileIndex: 0 })
    trusted = true
    assert.equal(refused.ok ? 'ok' : refused.error.code, 'untrusted-sender')
    assert.deepEqual(opened, [])
  })

  it('main refuses to open a program even when the core asks', async () => {
    const port = (p: MessagePort): Port => ({ post: m => { p.postMessage(m) }, onMessage: l => { p.on('message', l); return () => { p.off('message', l) } } })
    const { port1, port2 } = new MessageChannel()
    const shellOpened: string[] = []
    const served = serveCore(port(port2), async (_init, host) => {
      const handlers = Object.fromEntries(CALL_NAMES.map(name => [name, async (request: { transferId?: string }) => {
        await host.openPath?.(request.transferId === PROGRAM ? '/downloads/evil.Sh' : '/downloads/photo.jpg')
        return { ok: true }
      }])) as unknown as ApiHandlers
      return { handlers, on: () => () => {}, stop: async () => {} } satisfies AppLike
    })
    const client = connectCore(port(port1), { dataDir: '/data' }, {
      showInFolder: async () => {}, chooseDownloadDir: async () => null, openPath: async p => { shellOpened.push(p) }
    })
    try {
      await client.started
      const signal = AbortSignal.timeout(10_000)
      // The fake core stands for one that would ask main to open a program.
      await assert.rejects(client.handlers.openFile({ transferId: PROGRAM, fileIndex: 0 }, signal), { code: 'runs-code' })
      await client.handlers.openFile({ transferId: randomUUID(), fileIndex: 0 }, signal)
      assert.deepEqual(shellOpened, ['/downloads/photo.jpg'])
    } finally {
      await client.stop()
      await served
      port1.close()
      port2.close()
    }
  })
})
