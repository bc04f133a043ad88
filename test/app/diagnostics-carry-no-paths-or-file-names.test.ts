/**
 * Invariant: "Copy diagnostics" (`getDiagnostics`) gives a text for a bug report — the runtime, this peer's ID, its
 * relays' state, its transfers by state and the recent debug log (relay reservations, dials, the app's start) — and
 * never a local path (data or download folder, home folder) or the name of a file that was sent or received.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { dispatch } from '../../src-main/api/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

const SECRET_NAME = 'secret-salary-review-2026.txt'

describe('app: diagnostics', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let a: TestApp
  let b: TestApp
  let src: string

  before(async () => {
    const root = await tempDir('ferry-app-diag-')
    net = await TestNetwork.start(root)
    a = await startTestApp(net, 'alice')
    b = await startTestApp(net, 'bob')
    src = join(root, 'private', 'folder')
    await mkdir(src, { recursive: true })
    await writeFile(join(src, SECRET_NAME), 'numbers\n')
  })
  after(async () => {
    await a?.stop()
    await b?.stop()
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('after a transfer: versions, state and the recent log; no path, no file name', async () => {
    const offered = nextEvent(b, 'offer')
    const done = Promise.all([a, b].map(async app => await nextEvent(app, 'transfer', t => t.state === 'completed', 60_000)))
    const reply = await dispatch(a.handlers, 'sendLocalFiles', { peerId: b.peer.peerId, files: [{ path: join(src, SECRET_NAME), relativePath: SECRET_NAME }] }, signal)
    assert.ok(reply.ok, JSON.stringify(reply))
    await b.handlers.answerOffer({ transferId: (await offered).transferId, accept: true }, signal)
    await done

    for (const app of [a, b]) {
      const { text } = await app.handlers.getDiagnostics({}, signal)
      assert.match(text, /^Ferry diagnostics, /)
      assert.match(text, new RegExp(`Peer ID: ${app.peer.peerId}`))
      assert.match(text, /Relays \(reserved\):/)
      assert.match(text, /Transfers: .*1 completed/)
      assert.match(text, /ferry:relay reserved on \/ip4\/127\.0\.0\.1\//, 'the relay reservation is in the log')
      assert.match(text, /ferry:app started: peer /)
      assert.match(text, /\n\d{4}-\d\d-\d\dT[\d:.]+Z ferry:/, 'each log line starts with one date, then the namespace')
      for (const secret of [SECRET_NAME, src, app.dataDir, app.downloadDir, net.root, homedir()]) {
        assert.ok(!text.includes(secret), `the diagnostics must not contain ${secret}`)
      }
    }
    const { text } = await a.handlers.getDiagnostics({}, signal)
    assert.match(text, /ferry:dial attempt 1 of 3 to /, 'the sender\'s dial is in the log')
  })
})
