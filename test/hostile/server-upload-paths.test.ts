/**
 * Attack: a page (or anything holding the token) uploading files whose paths point outside the upload folder — `../`,
 * absolute, drive, UNC and backslash paths, NUL and over-long names, a traversing upload ID — or whose bodies do not
 * match their declared size, or too many files. Invariant: each is refused with a clear code before anything is
 * written for it; no byte of a hostile body lands anywhere but inside the upload's own folder, and no partial file is
 * left behind.
 */
import assert from 'node:assert/strict'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { makeStaticDir, raw, serveApp } from '../server/fixture.ts'
import type { RawResponse, Served } from '../server/fixture.ts'

const MARK = 'HOSTILE-UPLOAD-BYTES'

const TRAVERSALS = [
  '../escape.txt',
  'a/../../escape.txt',
  '..',
  './escape.txt',
  '/etc/ferry-escape',
  '/tmp/ferry-escape',
  'C:\\escape.txt',
  'C:escape.txt',
  '\\\\server\\share\\escape.txt',
  '//server/share/escape.txt',
  '..\\escape.txt',
  'a\\..\\..\\escape.txt',
  'nul\u0000.txt',
  'a//b.txt',
  '',
  `${'x'.repeat(300)}.txt`,
  `${'d/'.repeat(600)}x.txt`
]

/** Every file under `root` whose bytes contain the hostile marker, relative to `root`. */
async function filesWithMark (root: string): Promise<string[]> {
  const found: string[] = []
  for (const rel of await readdir(root, { recursive: true })) {
    const full = join(root, rel)
    const st = await stat(full).catch(() => undefined)
    if (st?.isFile() === true && st.size < 10_000_000 && (await readFile(full)).includes(MARK)) found.push(rel)
  }
  return found.sort()
}

describe('hostile upload: paths, sizes, counts', () => {
  let net: TestNetwork
  let s: Served
  let uploadId: string
  let headers: Record<string, string>

  const put = async (path: string, body: string, size: number | string = Buffer.byteLength(body), id = uploadId, extra: Record<string, string> = {}): Promise<RawResponse> =>
    raw(s.server.port, { method: 'PUT', path: `/api/uploads/${id}/files?path=${encodeURIComponent(path)}&size=${size}`, headers: { ...headers, ...extra }, body })

  before(async () => {
    const root = await tempDir('ferry-hostile-upload-')
    net = await TestNetwork.start(root)
    s = await serveApp(net, 'victim', await makeStaticDir(root), { maxFiles: 3 })
    headers = { authorization: `Bearer ${s.server.token}` }
    const created = await raw(s.server.port, { method: 'POST', path: '/api/uploads', headers })
    assert.equal(created.status, 201)
    uploadId = created.json?.uploadId as string
  })
  after(async () => {
    await s?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  for (const path of TRAVERSALS) {
    it(`a file at ${JSON.stringify(path.length > 40 ? path.slice(0, 40) + '…' : path)} is refused before anything touches disk`, async () => {
      const res = await put(path, `${MARK} ${path}`)
      assert.equal(res.status, 400, res.body.toString())
      assert.ok(['unsafe-path', 'path-too-long', 'invalid-request'].includes(res.json?.error?.code ?? ''), res.body.toString())
      assert.deepEqual(await filesWithMark(net.root), [])
    })
  }

  it('a body longer than the declared size is refused (size-mismatch) and nothing is kept', async () => {
    // Chunked, so the server learns the length only by counting the streamed bytes.
    const res = await put('longer.txt', `${MARK} and then some more bytes`, 10, uploadId, { 'transfer-encoding': 'chunked' })
    assert.equal(res.status, 400)
    assert.equal(res.json?.error?.code, 'size-mismatch')
    assert.match(res.json?.error?.message ?? '', /longer than the declared 10 bytes/)
    assert.deepEqual(await filesWithMark(net.root), [])
  })

  it('a body shorter than the declared size is refused (size-mismatch) and nothing is kept', async () => {
    const res = await put('shorter.txt', MARK, 1000, uploadId, { 'transfer-encoding': 'chunked' })
    assert.equal(res.status, 400)
    assert.equal(res.json?.error?.code, 'size-mismatch')
    assert.match(res.json?.error?.message ?? '', /^Received \d+ bytes, the declared size is 1000/)
    assert.deepEqual(await filesWithMark(net.root), [])
  })

  it('a Content-Length that contradicts the declared size, or a size that is not a byte count, is refused', async () => {
    assert.equal((await put('cl.txt', MARK, 5, uploadId, { 'content-length': String(MARK.length) })).json?.error?.code, 'size-mismatch')
    for (const size of ['-1', '1e3', 'abc', '', '99999999999999999999']) {
      const res = await put('size.txt', MARK, size)
      assert.equal(res.status, 400, size)
      assert.equal(res.json?.error?.code, 'invalid-size', size)
    }
    assert.deepEqual(await filesWithMark(net.root), [])
  })

  it('a traversing or unknown upload ID is refused (404) and nothing is written', async () => {
    for (const id of ['..', '..%2F..%2Ftmp', crypto.randomUUID(), '%2e%2e']) {
      const res = await put('x.txt', MARK, undefined, id)
      assert.equal(res.status, 404, `${id}: ${res.body.toString()}`)
    }
    assert.deepEqual(await filesWithMark(net.root), [])
  })

  it('names colliding in the upload (same name ignoring case, file versus folder) are refused', async () => {
    assert.equal((await put('dir/one.txt', `${MARK} one`)).status, 201)
    const dup = await put('DIR/ONE.txt', `${MARK} dup`)
    assert.equal(dup.status, 409)
    assert.equal(dup.json?.error?.code, 'path-taken')
    const asFolder = await put('dir/one.txt/inner.txt', `${MARK} inner`)
    assert.equal(asFolder.status, 400)
    assert.equal(asFolder.json?.error?.code, 'unsafe-path')
    const asFile = await put('dir', `${MARK} dir`)
    assert.equal(asFile.status, 400)
    assert.equal(asFile.json?.error?.code, 'unsafe-path')
  })

  it('more files than the limit are refused (too-many-files)', async () => {
    assert.equal((await put('two.txt', `${MARK} two`)).status, 201)
    assert.equal((await put('three.txt', `${MARK} three`)).status, 201)
    const res = await put('four.txt', `${MARK} four`)
    assert.equal(res.status, 413)
    assert.equal(res.json?.error?.code, 'too-many-files')
  })

  it('in the end, hostile bytes exist only inside the upload folder, exactly the accepted files, and no partial file', async () => {
    const uploadDir = join(s.app.dataDir, 'uploads', uploadId)
    const found = (await filesWithMark(net.root)).map(p => relative(relative(net.root, uploadDir), p))
    assert.deepEqual(found, ['dir/one.txt', 'three.txt', 'two.txt'])
    assert.deepEqual(await readdir(join(s.app.dataDir, 'uploads', '.partial')), [])
    assert.equal(await readFile(join(uploadDir, 'dir', 'one.txt'), 'utf8'), `${MARK} one`)
  })
})
