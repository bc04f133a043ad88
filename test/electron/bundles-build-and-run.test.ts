/**
 * Invariant: the Electron bundles build, and what they contain works without Electron's loader doing anything
 * special — the preload is one CommonJS file that needs nothing but `electron` (as a sandboxed preload must) and
 * exposes `window.ferry` only; main and core are ES modules whose only imports are `electron`, Node built-ins and
 * runtime dependencies from package.json; and the bundled core, given a `process.parentPort` as Electron's utility
 * process has, runs the real app service and exits on its own after `stop`.
 */
import assert from 'node:assert/strict'
import { execFile, fork } from 'node:child_process'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import vm from 'node:vm'
import { ipcChannel } from '../../src-main/api/index.ts'
import { connectCore } from '../../src-main/electron/core-rpc.ts'
import { PAGE_CALLS } from '../../src-main/electron/preload-api.ts'
import { tempDir } from '../helpers/files.ts'

const exec = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '../..')
const node = path.join(repo, 'node_modules', '.bin', 'node')
const vite = path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js')
const config = path.join(repo, 'src-main', 'electron', 'vite.config.ts')

describe('Electron bundles', () => {
  // Inside the repository (gitignored dist/), so the bundles resolve their external packages from node_modules.
  const out = path.join(repo, 'dist', `.electron-bundle-test-${process.pid}`)
  let data: string

  before(async () => {
    data = await tempDir('ferry-electron-bundle-')
    const env = { ...process.env, FERRY_ELECTRON_OUT_DIR: out }
    await exec(node, [vite, 'build', '-c', config], { cwd: repo, env })
    await exec(node, [vite, 'build', '-c', config, '--mode', 'preload'], { cwd: repo, env })
  })
  after(async () => {
    await rm(out, { recursive: true, force: true })
    await rm(data, { recursive: true, force: true })
  })

  it('builds main.js, core.js and preload.cjs', async () => {
    const files = await readdir(out)
    for (const f of ['main.js', 'core.js', 'preload.cjs']) assert.ok(files.includes(f), f)
  })

  it('main and core import only electron, Node built-ins, their own chunks and package.json dependencies', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    const deps = Object.keys(pkg.dependencies)
    const files = ['main.js', 'core.js', ...(await readdir(path.join(out, 'chunks')).catch(() => [])).filter(f => f.endsWith('.js')).map(f => `chunks/${f}`)]
    for (const file of files) {
      const code = await readFile(path.join(out, file), 'utf8')
      for (const [, spec] of code.matchAll(/^import\s[^'"]*["']([^"']+)["']/gm)) {
        const ok = spec === 'electron' || spec!.startsWith('node:') || spec!.startsWith('./') || spec!.startsWith('../') ||
          deps.some(d => spec === d || spec!.startsWith(`${d}/`))
        assert.ok(ok, `${file} imports ${spec}`)
      }
    }
  })

  it('the preload runs with only `electron` to require and exposes exactly window.ferry', async () => {
    const code = await readFile(path.join(out, 'preload.cjs'), 'utf8')
    const exposed = new Map<string, Record<string, unknown>>()
    const invoked: Array<[string, unknown]> = []
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => { exposed.set(key, api) } },
      ipcRenderer: {
        invoke: async (channel: string, request: unknown) => { invoked.push([channel, request]); return { ok: true, result: 'r' } },
        on: () => {},
        removeListener: () => {}
      },
      webUtils: { getPathForFile: () => '/home/me/a.txt' }
    }
    const required: string[] = []
    const sandboxRequire = (id: string): unknown => {
      required.push(id)
      if (id === 'electron') return electron
      throw new Error(`a sandboxed preload cannot require ${id}`)
    }
    const module = { exports: {} }
    vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console, URL, TextEncoder, TextDecoder, setTimeout, clearTimeout })
    assert.deepEqual(required, ['electron'])
    assert.deepEqual([...exposed.keys()], ['ferry'])
    const api = exposed.get('ferry')!
    assert.deepEqual(Object.keys(api).sort(), [...PAGE_CALLS, 'on', 'sendFiles'].sort())
    assert.equal(await (api.getSnapshot as (r: unknown) => Promise<unknown>)({}), 'r')
    assert.deepEqual(invoked, [[ipcChannel('getSnapshot', 'call'), {}]])
  })

  it('the bundled core runs the app service behind a parentPort and exits after stop', async () => {
    const bootstrap = path.join(out, 'parent-port-bootstrap.mjs')
    await writeFile(bootstrap, [
      "import { EventEmitter } from 'node:events'",
      'const parent = new EventEmitter()',
      'parent.postMessage = message => { process.send(message) }',
      'process.parentPort = parent',
      "process.on('message', data => { parent.emit('message', { data }) })",
      "await import('./core.js')"
    ].join('\n'))
    const child = fork(bootstrap, [], {
      execPath: node,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none', FERRY_MDNS: 'off', FERRY_UPNP: 'off' }
    })
    const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
    try {
      const core = connectCore({
        post: m => { child.send(m as object) },
        onMessage: l => { child.on('message', l); return () => { child.off('message', l) } }
      }, { dataDir: path.join(data, 'core') }, { showInFolder: async () => {}, chooseDownloadDir: async () => null })
      await core.started
      const snapshot = await core.handlers.getSnapshot({}, AbortSignal.timeout(30_000))
      assert.equal(snapshot.capabilities.host, 'electron')
      assert.match(snapshot.identity.peerId, /^12D3KooW/)
      await core.stop()
      assert.equal(await exited, 0)
    } finally {
      if (child.exitCode == null) child.kill()
    }
  })
})
