/**
 * Invariant: `GET /api/received/<transfer ID>/<file index>` serves a received file only when Ferry placed it — a
 * receive's file recorded `verified`, inside the transfer's download folder, still a regular file of its size — with
 * its bytes and the name it was saved under (`Content-Disposition`, RFC 6266 with RFC 8187 `filename*`); everything
 * else (a file not accepted, a record pointing outside the download folder, a file (or a folder on its way) replaced by a
 * symbolic link, or changed, a send's source file, an unknown transfer or index, a path that is not a transfer ID) is 404 and sends no
 * byte of any file; without the token nothing is served.
 */
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdir, rm as remove, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { contentDisposition } from '../../src-main/server/download.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { makeStaticDir, raw, serveApp } from './fixture.ts'
import type { Served } from './fixture.ts'

describe('headless server: downloads of received files', () => {
  let net: TestNetwork
  let s: Served
  let port: number
  let cookie: string
  const secret = randomBytes(64)
  const placed = randomBytes(300_000)
  let id: string

  /** Records a received transfer of `files` (each already on disk, or not) as the receiver would. */
  function recordReceive (files: Array<{ relPath: string, size: number, localPath?: string, state: 'verified' | 'skipped' }>, direction: 'receive' | 'send' = 'receive'): string {
    const store = s.app.peer.store
    const transferId = randomUUID()
    store.transfers.create({
      id: transferId, direction, peerId: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', state: 'completed', totalBytes: 1, fileCount: files.length,
      destDir: s.app.downloadDir, files: files.map(f => ({ relPath: f.relPath, size: f.size }))
    })
    for (const [i, f] of files.entries()) store.transfers.fileDone(transferId, i, { state: f.state, sha256: '0'.repeat(64), ...(f.localPath == null ? {} : { localPath: f.localPath }) })
    return transferId
  }

  before(async () => {
    const root = await tempDir('ferry-server-dl-')
    net = await TestNetwork.start(root)
    s = await serveApp(net, 'bob', await makeStaticDir(root))
    port = s.server.port
    cookie = `ferry_token_${port}=${s.server.token}`
    await mkdir(s.app.downloadDir, { recursive: true })
    await writeFile(join(root, 'outside.bin'), secret)
    await writeFile(join(s.app.downloadDir, '照片 "1" 100%.jpg'), placed)
    id = recordReceive([
      { relPath: '照片 "1" 100%.jpg', size: placed.byteLength, localPath: join(s.app.downloadDir, '照片 "1" 100%.jpg'), state: 'verified' },
      { relPath: 'not-accepted.bin', size: 10, state: 'skipped' },
      { relPath: 'outside.bin', size: secret.byteLength, localPath: join(root, 'outside.bin'), state: 'verified' }
    ])
  })
  after(async () => {
    await s?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('a placed file downloads byte for byte, named as saved (RFC 6266 / RFC 8187)', async () => {
    const res = await raw(port, { path: `/api/received/${id}/0`, headers: { cookie } })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, placed)
    assert.equal(res.headers['content-type'], 'application/octet-stream')
    assert.equal(res.headers['content-length'], String(placed.byteLength))
    assert.equal(res.headers['content-disposition'], `attachment; filename="__ _1_ 100_.jpg"; filename*=UTF-8''%E7%85%A7%E7%89%87%20%221%22%20100%25.jpg`)
    assert.equal(res.headers['x-content-type-options'], 'nosniff')
    assert.equal(decodeURIComponent(String(res.headers['content-disposition']).split("''")[1] ?? ''), '照片 "1" 100%.jpg')
  })

  it('the encoding keeps control characters and quotes out of the header', () => {
    assert.equal(contentDisposition('a\r\nSet-Cookie: x.txt'), "attachment; filename=\"a__Set-Cookie: x.txt\"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.txt")
  })

  it('without the token nothing is served', async () => {
    const res = await raw(port, { path: `/api/received/${id}/0` })
    assert.equal(res.status, 401)
    assert.ok(!res.body.includes(placed.subarray(0, 32)))
  })

  it('a file not accepted, one recorded outside the download folder, an unknown index or transfer: 404, no bytes', async () => {
    for (const path of [`/api/received/${id}/1`, `/api/received/${id}/2`, `/api/received/${id}/9`, `/api/received/${randomUUID()}/0`, '/api/received/..%2F..%2Fsecret/0', `/api/received/${id}/-1`]) {
      const res = await raw(port, { path, headers: { cookie } })
      assert.equal(res.status, 404, path)
      assert.ok(!res.body.includes(secret.subarray(0, 16)), `${path}: no byte of the file outside`)
      assert.equal(res.headers['content-disposition'], undefined, path)
    }
  })

  it('a send\'s source file is not served', async () => {
    const sent = recordReceive([{ relPath: 'x.bin', size: placed.byteLength, localPath: join(s.app.downloadDir, '照片 "1" 100%.jpg'), state: 'verified' }], 'send')
    assert.equal((await raw(port, { path: `/api/received/${sent}/0`, headers: { cookie } })).status, 404)
  })

  it('a placed file replaced by a symbolic link (or a folder on its way), or changed in size, is no longer served', async () => {
    const linked = join(s.app.downloadDir, 'linked.bin')
    await symlink(join(net.root, 'outside.bin'), linked)
    const viaLink = recordReceive([{ relPath: 'linked.bin', size: secret.byteLength, localPath: linked, state: 'verified' }])
    const res = await raw(port, { path: `/api/received/${viaLink}/0`, headers: { cookie } })
    assert.equal(res.status, 404)
    assert.ok(!res.body.includes(secret.subarray(0, 16)))
    // A folder on the way replaced by a link to a folder outside.
    await symlink(net.root, join(s.app.downloadDir, 'sub'))
    const viaFolder = recordReceive([{ relPath: 'sub/outside.bin', size: secret.byteLength, localPath: join(s.app.downloadDir, 'sub', 'outside.bin'), state: 'verified' }])
    const res2 = await raw(port, { path: `/api/received/${viaFolder}/0`, headers: { cookie } })
    assert.equal(res2.status, 404)
    assert.ok(!res2.body.includes(secret.subarray(0, 16)))
    const changed = join(s.app.downloadDir, 'changed.bin')
    await writeFile(changed, 'longer than recorded')
    const grown = recordReceive([{ relPath: 'changed.bin', size: 3, localPath: changed, state: 'verified' }])
    assert.equal((await raw(port, { path: `/api/received/${grown}/0`, headers: { cookie } })).status, 404)
    await remove(changed)
  })
})
