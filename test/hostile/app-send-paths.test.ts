/**
 * Attack: a compromised or buggy renderer/preload (or upload handler) hands the app service paths to send that are
 * not what a person picked — relative paths, missing files, symbolic links to elsewhere, folders, special files — or
 * relative paths that would escape the receiver's folder (`../x`, absolute, reserved names).
 * Invariant: `sendLocalFiles` and `sendPrepared` refuse the whole call with a clear ApiError before anything is sent:
 * no `transfer` event, no history entry, no offer reaches the peer; a prepared upload's `cleanup` still runs.
 */
import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ApiError, dispatch } from '../../src-main/api/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { record, startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'

describe('hostile: paths handed to the app service to send', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let alice: TestApp
  let bob: TestApp
  let dir: string

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-app-paths-'))
    ;[alice, bob] = await Promise.all([startTestApp(net, 'alice'), startTestApp(net, 'bob')])
    dir = join(net.root, 'files')
    await mkdir(join(dir, 'folder'), { recursive: true })
    await writeFile(join(dir, 'ok.txt'), 'fine\n')
    await writeFile(join(net.root, 'secret.txt'), 'outside what was picked\n')
    await symlink(join(net.root, 'secret.txt'), join(dir, 'link.txt'))
  })
  after(async () => {
    await Promise.all([alice?.stop(), bob?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('refuses each bad file with its code, sending nothing', async () => {
    const transfers = record(alice, 'transfer')
    const offers = record(bob, 'offer')
    const ok = { path: join(dir, 'ok.txt'), relativePath: 'ok.txt' }
    const cases: Array<[string, { path: string, relativePath: string }, string]> = [
      ['relative path', { path: 'files/ok.txt', relativePath: 'ok2.txt' }, 'invalid-path'],
      ['missing file', { path: join(dir, 'nope.txt'), relativePath: 'nope.txt' }, 'source-unreadable'],
      ['symbolic link', { path: join(dir, 'link.txt'), relativePath: 'link.txt' }, 'invalid-path'],
      ['folder', { path: join(dir, 'folder'), relativePath: 'folder' }, 'invalid-path'],
      ['special file', { path: '/dev/null', relativePath: 'null.txt' }, 'invalid-path'],
      ['parent segment', { path: join(dir, 'ok.txt'), relativePath: '../x' }, 'unsafe-path'],
      ['absolute relativePath', { path: join(dir, 'ok.txt'), relativePath: '/etc/passwd' }, 'unsafe-path'],
      ['reserved name', { path: join(dir, 'ok.txt'), relativePath: 'sub/CON.txt' }, 'unsafe-path']
    ]
    for (const [what, bad, code] of cases) {
      const reply = await dispatch(alice.handlers, 'sendLocalFiles', { peerId: bob.peer.peerId, files: [ok, bad] }, signal)
      assert.ok(!reply.ok, what)
      assert.equal(reply.error.code, code, `${what}: ${reply.error.message}`)
      assert.ok(!reply.error.message.includes(net.root), `${what}: the message names no absolute path: ${reply.error.message}`)
    }
    let cleaned = 0
    await assert.rejects(alice.sendPrepared({
      peerId: bob.peer.peerId,
      files: [{ relPath: 'link.txt', absPath: join(dir, 'link.txt'), size: 5 }],
      cleanup: async () => { cleaned++ }
    }, signal), (err: unknown) => err instanceof ApiError && err.code === 'invalid-path')
    assert.equal(cleaned, 1, 'the upload is cleaned up when it cannot be sent')
    // Anything sent would have reached bob's offer prompt within this time on loopback.
    await new Promise(resolve => setTimeout(resolve, 500))
    assert.equal(transfers.seen.length, 0)
    assert.equal(offers.seen.length, 0)
    assert.deepEqual(await alice.handlers.listHistory({}, signal), [])
    transfers.off()
    offers.off()
  })
})
