/**
 * Invariant: an upload that meets a full disk is answered 507 `disk-full` with a message for a person, and leaves
 * nothing behind — no partial file, no file in the upload — so the space is free again and a file that fits can be
 * uploaded right after.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startServer } from '../../src-main/server/index.ts'
import type { FerryServer } from '../../src-main/server/index.ts'
import { assertRoot, mountTmpfs, needsRoot, rm, tempDir, unmount } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'
import { makeStaticDir, raw } from './fixture.ts'

const TMPFS_BYTES = 1024 * 1024

describe('headless server: an upload meets a full disk', needsRoot('mount a small tmpfs'), () => {
  let net: TestNetwork
  let app: TestApp
  let server: FerryServer
  let dataDir: string

  before(async () => {
    assertRoot('mount a small tmpfs')
    const root = await tempDir('ferry-server-diskfull-')
    net = await TestNetwork.start(root)
    app = await startTestApp(net, 'alice')
    // Only the server's uploads live on the small disk; the app's database stays on the normal one.
    dataDir = join(root, 'small-disk')
    await mountTmpfs(dataDir, TMPFS_BYTES)
    server = await startServer({ app, staticDir: await makeStaticDir(root), dataDir })
  })
  after(async () => {
    await server?.close()
    await app?.stop()
    await net?.stop()
    await unmount(dataDir)
    await rm(net.root, { recursive: true, force: true })
  })

  it('507 disk-full, nothing left behind, and a file that fits is accepted afterwards', async () => {
    const headers = { authorization: `Bearer ${server.token}` }
    const uploadId = (await raw(server.port, { method: 'POST', path: '/api/uploads', headers })).json?.uploadId as string
    const big = randomBytes(2 * TMPFS_BYTES)
    const res = await raw(server.port, { method: 'PUT', path: `/api/uploads/${uploadId}/files?path=big.bin&size=${big.length}`, headers, body: big })
    assert.equal(res.status, 507, res.body.toString())
    assert.equal(res.json?.error?.code, 'disk-full')
    assert.match(res.json?.error?.message ?? '', /disk is full/)
    assert.deepEqual(await readdir(join(dataDir, 'uploads', '.partial')), [])
    assert.deepEqual(await readdir(join(dataDir, 'uploads', uploadId)), [])

    const small = randomBytes(TMPFS_BYTES / 2)
    const ok = await raw(server.port, { method: 'PUT', path: `/api/uploads/${uploadId}/files?path=small.bin&size=${small.length}`, headers, body: small })
    assert.equal(ok.status, 201, ok.body.toString())
    assert.deepEqual(await readdir(join(dataDir, 'uploads', uploadId)), ['small.bin'])
  })
})
