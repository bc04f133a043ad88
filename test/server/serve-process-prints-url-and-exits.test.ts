/**
 * Invariant: `ferry serve` as a real process prints a `ready` event with a 127.0.0.1 URL carrying the token; that URL
 * serves the built renderer and its socket answers calls for the process's own peer; SIGTERM stops everything and
 * the process exits 0 on its own. Without a built renderer, the server refuses to start and says to run `npm run
 * build`.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { checkStaticDir, RendererMissingError } from '../../src-main/server/index.ts'
import { connectWsClient } from '../../src-renderer/src/api/ws-client.ts'
import { ferry, stopAll } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))

/** Builds the renderer (`npm run build`'s vite command) unless `dist/renderer/index.html` exists. */
async function ensureRendererBuilt (): Promise<void> {
  if ((await stat(join(REPO, 'dist', 'renderer', 'index.html')).catch(() => undefined))?.isFile() === true) return
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], { cwd: REPO, timeout: 240_000 })
}

describe('ferry serve (a real process)', () => {
  let root: string

  before(async () => {
    await ensureRendererBuilt()
    root = await tempDir('ferry-serve-cli-')
  })
  after(async () => {
    await stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('prints its URL, serves the page and the API, and exits 0 on SIGTERM', async () => {
    const serve = ferry(['serve', '--data-dir', join(root, 'data'), '--out', join(root, 'out'), '--no-mdns'])
    const ready = await serve.waitFor('ready', 60_000)
    const url = new URL(ready.url as string)
    assert.equal(url.hostname, '127.0.0.1')
    assert.match(url.searchParams.get('token') ?? '', /^[0-9a-f]{64}$/)
    assert.equal(ready.downloadDir, join(root, 'out'))

    const page = await fetch(url)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    assert.match(await page.text(), /<script type="module"/)
    assert.equal((await fetch(url.origin + '/')).status, 401)

    const api = await connectWsClient({ origin: url.origin, token: url.searchParams.get('token') as string })
    const snapshot = await api.getSnapshot({})
    assert.equal(snapshot.identity.peerId, ready.peerId)
    assert.equal(snapshot.capabilities.host, 'headless')
    api.close()

    serve.child.kill('SIGTERM')
    assert.equal(await serve.exitCode(30_000), 0, serve.stderr)
    await serve.waitFor('stopping', 1000)
  })

  it('a restart keeps the token and the port, so an open page reconnects; --new-token refuses the old token', async () => {
    const data = join(root, 'data-restart')
    const first = ferry(['serve', '--data-dir', data, '--out', join(root, 'out'), '--no-mdns'])
    const url = new URL((await first.waitFor('ready', 60_000)).url as string)
    const api = await connectWsClient({ origin: url.origin, token: url.searchParams.get('token') as string })
    const reconnected = new Promise<void>(resolve => api.on('notice', n => { if (n.code === 'reconnected') resolve() }))
    first.child.kill('SIGTERM')
    assert.equal(await first.exitCode(30_000), 0, first.stderr)
    assert.equal((await stat(join(data, 'serve-session.json'))).mode & 0o777, 0o600)

    const second = ferry(['serve', '--data-dir', data, '--out', join(root, 'out'), '--no-mdns'])
    const again = new URL((await second.waitFor('ready', 60_000)).url as string)
    assert.equal(again.href, url.href, 'the same port and token')
    await reconnected
    assert.equal((await api.getSnapshot({})).capabilities.host, 'headless', 'the page opened before the restart works')
    api.close()
    second.child.kill('SIGTERM')
    assert.equal(await second.exitCode(30_000), 0, second.stderr)

    const third = ferry(['serve', '--data-dir', data, '--out', join(root, 'out'), '--no-mdns', '--new-token'])
    const renewed = new URL((await third.waitFor('ready', 60_000)).url as string)
    assert.notEqual(renewed.searchParams.get('token'), url.searchParams.get('token'))
    assert.equal((await fetch(new URL(`/?token=${url.searchParams.get('token') as string}`, renewed.origin))).status, 401, 'the old token is refused')
    assert.equal((await fetch(renewed)).status, 200)
    third.child.kill('SIGTERM')
    assert.equal(await third.exitCode(30_000), 0, third.stderr)
  })

  it('a malformed --port is refused with a clear error', async () => {
    const serve = ferry(['serve', '--data-dir', join(root, 'data2'), '--port', 'eighty'])
    assert.equal(await serve.exitCode(30_000), 1)
    const error = await serve.waitFor('error', 1000)
    assert.match(String(error.message), /--port must be a number/)
  })

  it('without a built renderer the server refuses to start and says to run npm run build', async () => {
    await assert.rejects(checkStaticDir(join(root, 'no-renderer')), (err: unknown) => {
      assert.ok(err instanceof RendererMissingError)
      assert.equal(err.code, 'renderer-not-built')
      assert.match(err.message, /npm run build/)
      return true
    })
  })
})
