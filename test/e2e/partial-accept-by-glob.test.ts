/**
 * Invariants: `ferry receive --accept-glob <glob>` (repeatable) accepts only the offered files whose relative path
 * matches a glob (docs/PROTOCOL.md §4 "accept", `files`): only those are written; the sender's `complete` lists only
 * those as sent, with the accepted total as its size and the paths it did not take (`notAccepted`, and a
 * `not-accepted` event: "accepted 3 of 5 files"); both sides' `ferry history` record the others `skipped` ("not
 * accepted") and the accepted total as the transfer's size. An offer with no matching
 * file is declined and writes nothing. A file saved under another name (one of its name existed) is reported with
 * that name.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ferry, history, relayForSuite } from '../helpers/cli.ts'
import { listAll } from '../helpers/files.ts'

describe('partial accept by CLI (--accept-glob)', () => {
  const suite = relayForSuite()

  it('only matching files are written, the sender reports only those sent, both histories record the rest skipped', async () => {
    const src = join(suite.dir, 'album')
    await mkdir(join(src, 'raw'), { recursive: true })
    const files: Record<string, Buffer> = {
      'album/a.jpg': randomBytes(300_000),
      'album/b.JPG': randomBytes(1000),
      'album/notes.txt': randomBytes(2000),
      'album/raw/c.jpg': randomBytes(5000),
      'album/raw/c.cr2': randomBytes(70_000)
    }
    for (const [rel, bytes] of Object.entries(files)) await writeFile(join(suite.dir, rel), bytes)
    const out = join(suite.dir, 'out')
    // A file of the same name is there already: the accepted a.jpg is saved as "a (1).jpg".
    await mkdir(join(out, 'album'), { recursive: true })
    await writeFile(join(out, 'album', 'a.jpg'), 'older')
    const receiver = ferry(['receive', '--relay', suite.relayAddr, '--data-dir', join(suite.dir, 'rx'), '--out', out, '--once', '--yes', '--accept-glob', '**/*.jpg', '--accept-glob', 'album/notes.*'])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to)
    const sender = ferry(['send', '--relay', suite.relayAddr, '--to', to, '--data-dir', join(suite.dir, 'tx'), src])
    sender.child.stdin?.end()
    assert.equal(await sender.exitCode(60_000), 0, sender.stderr)
    const chosen = await receiver.waitFor('accept-subset', 0)
    assert.deepEqual(chosen.paths, ['album/a.jpg', 'album/notes.txt', 'album/raw/c.jpg'])
    const sent = await sender.waitFor('complete', 0)
    assert.deepEqual((sent.files as Array<{ path: string }>).map(f => f.path).sort(), ['album/a.jpg', 'album/notes.txt', 'album/raw/c.jpg'])
    const acceptedBytes = 300_000 + 2000 + 5000
    assert.equal(sent.totalBytes, acceptedBytes, 'the sender counts what was accepted, not the 378,000 bytes offered')
    assert.deepEqual((sent.notAccepted as string[]).sort(), ['album/b.JPG', 'album/raw/c.cr2'])
    const notTaken = await sender.waitFor('not-accepted', 0)
    assert.deepEqual({ accepted: notTaken.accepted, offered: notTaken.offered }, { accepted: 3, offered: 5 })
    const received = await receiver.waitFor('complete', 30_000)
    assert.equal(await receiver.exitCode(), 0, receiver.stderr)
    assert.deepEqual((received.files as Array<{ path: string }>).map(f => f.path).sort(), ['album/a.jpg', 'album/notes.txt', 'album/raw/c.jpg'])
    assert.deepEqual(await listAll(out), ['album', 'album/a (1).jpg', 'album/a.jpg', 'album/notes.txt', 'album/raw', 'album/raw/c.jpg'], 'no b.JPG, no c.cr2, no temp file')
    assert.deepEqual(await readFile(join(out, 'album', 'a (1).jpg')), files['album/a.jpg'])
    assert.deepEqual(await readFile(join(out, 'album', 'raw', 'c.jpg')), files['album/raw/c.jpg'])
    assert.equal(String(await readFile(join(out, 'album', 'a.jpg'))), 'older', 'the existing file is untouched')

    const [rx] = await history(join(suite.dir, 'rx'))
    const [tx] = await history(join(suite.dir, 'tx'))
    for (const side of [rx, tx]) {
      assert.equal(side?.state, 'completed')
      assert.equal(side?.totalBytes, acceptedBytes, 'both histories record the accepted total')
      assert.equal(side?.skippedFiles, 2)
      const states = Object.fromEntries((side?.files as Array<{ path: string, state: string }>).map(f => [f.path, f.state]))
      assert.deepEqual(states, { 'album/a.jpg': 'verified', 'album/b.JPG': 'skipped', 'album/notes.txt': 'verified', 'album/raw/c.cr2': 'skipped', 'album/raw/c.jpg': 'verified' })
    }
    const saved = (rx?.files as Array<{ path: string, savedName: string | null }>).find(f => f.path === 'album/a.jpg')
    assert.equal(saved?.savedName, 'album/a (1).jpg', 'the history names the file it was saved as')
  })

  it('an offer with no matching file is declined and writes nothing', async () => {
    const src = join(suite.dir, 'nothing.txt')
    await writeFile(src, 'x')
    const out = join(suite.dir, 'out-none')
    const receiver = ferry(['receive', '--relay', suite.relayAddr, '--data-dir', join(suite.dir, 'rx-none'), '--out', out, '--once', '--yes', '--accept-glob', '*.jpg'])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to)
    const sender = ferry(['send', '--relay', suite.relayAddr, '--to', to, '--data-dir', join(suite.dir, 'tx-none'), src])
    sender.child.stdin?.end()
    assert.notEqual(await sender.exitCode(60_000), 0)
    await receiver.waitFor('declined', 30_000)
    assert.equal(await receiver.exitCode(), 1)
    assert.deepEqual(await listAll(out), [])
  })
})
