/**
 * Invariant: files a browser drops are streamed to the local server as an upload, and `sendUpload` delivers them to
 * another peer byte-identical, under their relative paths (nested folders, an empty file, a non-ASCII name); once the
 * transfer completed, the upload folder is gone from the sender's data directory.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { dispatch } from '../../src-main/api/index.ts'
import { connectWsClient } from '../../src-renderer/src/api/ws-client.ts'
import type { UploadProgress, WsFerryApi } from '../../src-renderer/src/api/ws-client.ts'
import { rm, tempDir, treeHashes } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'
import { callOver, makeStaticDir, openSocket, serveApp } from './fixture.ts'
import type { Served } from './fixture.ts'

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('headless server: upload, then sendUpload', () => {
  let net: TestNetwork
  let s: Served
  let bob: TestApp
  let api: WsFerryApi

  before(async () => {
    const root = await tempDir('ferry-server-upload-')
    net = await TestNetwork.start(root)
    s = await serveApp(net, 'alice', await makeStaticDir(root))
    bob = await startTestApp(net, 'bob')
    bob.on('offer', offer => { void dispatch(bob.handlers, 'answerOffer', { transferId: offer.transferId, accept: true }, new AbortController().signal) })
    api = await connectWsClient({ origin: `http://127.0.0.1:${s.server.port}`, token: s.server.token })
  })
  after(async () => {
    api?.close()
    await bob?.stop()
    await s?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('the receiving peer gets byte-identical files and the upload folder is removed', async () => {
    const contents: Record<string, Uint8Array> = {
      'photos/2024/big.bin': randomBytes(3 * 1024 * 1024 + 17),
      'photos/notes — Grüße ✓.txt': new TextEncoder().encode('non-ASCII name\n'),
      'empty.txt': new Uint8Array(0)
    }
    const files = Object.entries(contents).map(([relativePath, bytes]) => ({ relativePath, file: new File([bytes], relativePath.split('/').at(-1) as string) }))
    const progress: UploadProgress[] = []
    const off = api.onUploadProgress(p => progress.push(p))
    const bobDone = nextEvent(bob, 'transfer', t => t.direction === 'receive' && t.state === 'completed', 120_000)
    const aliceDone = nextEvent(s.app, 'transfer', t => t.direction === 'send' && t.state === 'completed', 120_000)

    const { transferId } = await api.sendFiles(bob.peer.peerId, files)
    off()
    const [received] = await Promise.all([bobDone, aliceDone])
    assert.equal(received.id, transferId)
    assert.equal(received.totalBytes, 3 * 1024 * 1024 + 17 + 15)

    const expected = new Map(Object.entries(contents).map(([p, b]) => [p, sha256(b)]))
    assert.deepEqual(await treeHashes(bob.downloadDir), expected)

    assert.deepEqual(progress.map(p => p.phase).filter((p, i, all) => all[i - 1] !== p), ['uploading', 'sending', 'done'])
    const last = progress.at(-1) as UploadProgress
    assert.equal(last.sentBytes, last.totalBytes)
    assert.equal(last.filesDone, 3)

    // The app runs the upload's cleanup once the send completed.
    const uploads = join(s.app.dataDir, 'uploads')
    for (let i = 0; i < 50 && (await readdir(uploads)).some(n => n !== '.partial'); i++) await new Promise(resolve => setTimeout(resolve, 100))
    assert.deepEqual(await readdir(uploads), ['.partial'])
  })

  it('sendFiles of no files, and sendUpload of an unknown upload, are refused', async () => {
    await assert.rejects(api.sendFiles(bob.peer.peerId, []), { name: 'ApiError', code: 'invalid-request' })
    const opened = await openSocket(`ws://127.0.0.1:${s.server.port}/api/ws?token=${s.server.token}`)
    assert.ok('ws' in opened)
    const reply = await callOver(opened.ws, 1, 'sendUpload', { peerId: bob.peer.peerId, uploadId: crypto.randomUUID() })
    assert.equal((reply.error as { code: string }).code, 'upload-not-found')
    opened.ws.close()
  })
})
