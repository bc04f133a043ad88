/**
 * Invariant: an upload that is never sent does not stay on disk: one left by an earlier run (and any partial file) is
 * removed when the server starts, and one idle for longer than the limit is removed while it runs — while an upload
 * already handed to a transfer (its `.sent` marker) is kept for the app service to resume or remove, up to 7 days.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startServer } from '../../src-main/server/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'
import { makeStaticDir, raw } from './fixture.ts'

describe('headless server: abandoned uploads are removed', () => {
  let net: TestNetwork
  let app: TestApp
  let staticDir: string

  before(async () => {
    const root = await tempDir('ferry-server-abandoned-')
    net = await TestNetwork.start(root)
    app = await startTestApp(net, 'alice')
    staticDir = await makeStaticDir(root)
  })
  after(async () => {
    await app?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('at start: leftover open uploads, partial files and sent uploads older than 7 days are removed; recent sent ones kept', async () => {
    const dataDir = join(net.root, 'start')
    const uploads = join(dataDir, 'uploads')
    const open = crypto.randomUUID()
    const sent = crypto.randomUUID()
    await mkdir(join(uploads, open, 'sub'), { recursive: true })
    await writeFile(join(uploads, open, 'sub', 'left.txt'), 'left over')
    await mkdir(join(uploads, sent), { recursive: true })
    await writeFile(join(uploads, sent, 'in-flight.txt'), 'being sent')
    await writeFile(join(uploads, `${sent}.sent`), 'some-transfer-id\n')
    await writeFile(join(uploads, `${crypto.randomUUID()}.sent`), 'a marker without its folder\n')
    const old = crypto.randomUUID()
    await mkdir(join(uploads, old), { recursive: true })
    await writeFile(join(uploads, old, 'forgotten.txt'), 'sent eight days ago')
    await writeFile(join(uploads, `${old}.sent`), 'old-transfer-id\n')
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3_600_000)
    await utimes(join(uploads, `${old}.sent`), eightDaysAgo, eightDaysAgo)
    await mkdir(join(uploads, '.partial'), { recursive: true })
    await writeFile(join(uploads, '.partial', `${open}-0011223344556677`), 'half a file')

    const server = await startServer({ app, staticDir, dataDir })
    try {
      assert.deepEqual((await readdir(uploads)).sort(), ['.partial', sent, `${sent}.sent`].sort())
      assert.deepEqual(await readdir(join(uploads, '.partial')), [])
      assert.deepEqual(await readdir(join(uploads, sent)), ['in-flight.txt'])
    } finally {
      await server.close()
    }
  })

  it('while running: an upload idle for longer than the limit is removed, and its ID is no longer accepted', async () => {
    const dataDir = join(net.root, 'idle')
    const server = await startServer({ app, staticDir, dataDir, limits: { idleMs: 300, sweepIntervalMs: 100 } })
    try {
      const headers = { authorization: `Bearer ${server.token}` }
      const created = await raw(server.port, { method: 'POST', path: '/api/uploads', headers })
      const uploadId = created.json?.uploadId as string
      assert.equal((await raw(server.port, { method: 'PUT', path: `/api/uploads/${uploadId}/files?path=a.txt&size=2`, headers, body: 'hi' })).status, 201)
      assert.deepEqual((await readdir(join(dataDir, 'uploads'))).sort(), ['.partial', uploadId])
      for (let i = 0; i < 50 && (await readdir(join(dataDir, 'uploads'))).includes(uploadId); i++) await new Promise(resolve => setTimeout(resolve, 100))
      assert.deepEqual(await readdir(join(dataDir, 'uploads')), ['.partial'])
      const late = await raw(server.port, { method: 'PUT', path: `/api/uploads/${uploadId}/files?path=b.txt&size=2`, headers, body: 'hi' })
      assert.equal(late.status, 404)
      assert.equal(late.json?.error?.code, 'upload-not-found')
    } finally {
      await server.close()
    }
  })

  it('DELETE removes an open upload at once', async () => {
    const dataDir = join(net.root, 'delete')
    const server = await startServer({ app, staticDir, dataDir })
    try {
      const headers = { authorization: `Bearer ${server.token}` }
      const uploadId = (await raw(server.port, { method: 'POST', path: '/api/uploads', headers })).json?.uploadId as string
      assert.equal((await raw(server.port, { method: 'PUT', path: `/api/uploads/${uploadId}/files?path=a.txt&size=2`, headers, body: 'hi' })).status, 201)
      assert.equal((await raw(server.port, { method: 'DELETE', path: `/api/uploads/${uploadId}`, headers })).status, 204)
      assert.deepEqual(await readdir(join(dataDir, 'uploads')), ['.partial'])
    } finally {
      await server.close()
    }
  })
})
