/**
 * Invariants: `ferry send --to <contact> --queue` queues the send in the data directory's outbox and waits: stopped
 * with Ctrl-C it leaves the entry queued (`ferry outbox list` shows it), run again it waits for the same entry, and
 * once the contact's `ferry receive` is up it delivers it (the transfer has the entry's ID), exits 0 and leaves the
 * outbox empty. A file changed while queued is reported (`outbox-stale`, reason `file-changed`, exit 1) and nothing
 * is written at the receiver. `ferry outbox cancel <id>` removes an entry (and says `not-found` for one not queued).
 */
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { ferry, history, relayForSuite } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { listAll, randomFile } from '../helpers/files.ts'

describe('the outbox by CLI', () => {
  const suite = relayForSuite('ferry-outbox-cli-')
  let aliceDir: string
  let bobDir: string

  /** Runs `ferry <args> --json` to its end and returns its events; fails on a non-zero exit. */
  async function ok (args: string[]): Promise<Event[]> {
    const p = ferry(args)
    p.child.stdin?.end()
    assert.equal(await p.exitCode(), 0, p.stderr)
    return p.events
  }
  const outbox = async (): Promise<Event[]> => (await ok(['outbox', 'list', '--data-dir', aliceDir])).filter(e => e.event === 'queued')
  const queue = (path: string): FerryProcess => {
    const p = ferry(['send', '--relay', suite.relayAddr, '--to', 'Bob', '--queue', '--data-dir', aliceDir, path])
    p.child.stdin?.end()
    return p
  }
  const receive = (out: string): FerryProcess => ferry(['receive', '--relay', suite.relayAddr, '--data-dir', bobDir, '--out', out, '--once', '--yes'])

  before(async () => {
    aliceDir = join(suite.dir, 'alice')
    bobDir = join(suite.dir, 'bob')
    await mkdir(join(suite.dir, 'src'), { recursive: true })
    const [invite] = await ok(['invite', '--data-dir', bobDir, '--name', 'Bob', '--relay', suite.relayAddr])
    await ok(['contacts', 'add', invite?.invite as string, '--data-dir', aliceDir])
  })

  it('queued while Bob is offline, kept across Ctrl-C and a new run, delivered once Bob receives', async () => {
    const file = join(suite.dir, 'src', 'report.bin')
    await randomFile(file, 2 * 1024 * 1024 + 5)
    const first = queue(file)
    const queued = await first.waitFor('queued', 30_000)
    assert.equal(queued.contact, 'Bob')
    await first.stop('SIGINT')
    assert.deepEqual((await outbox()).map(e => [e.id, e.contact, e.fileCount, e.totalBytes]), [[queued.id, 'Bob', 1, 2 * 1024 * 1024 + 5]])

    const again = queue(file)
    assert.equal((await again.waitFor('queued', 30_000)).id, queued.id, 'the same files queued again are the same entry')
    const out = join(suite.dir, 'bob-out')
    const receiver = receive(out)
    await receiver.waitFor('ready', 30_000)
    assert.equal(await again.exitCode(90_000), 0, again.stderr)
    const complete = await again.waitFor('complete', 0)
    assert.equal(complete.transferId, queued.id)
    assert.equal(await receiver.exitCode(30_000), 0, receiver.stderr)
    assert.deepEqual(await readFile(join(out, 'report.bin')), await readFile(file))
    assert.deepEqual(await outbox(), [])
    const [sent] = await history(aliceDir)
    assert.deepEqual([sent?.id, sent?.state], [queued.id, 'completed'])
  })

  it('a file changed while queued is reported with its reason, and nothing is written at Bob', async () => {
    const file = join(suite.dir, 'src', 'draft.txt')
    await writeFile(file, 'draft one\n')
    const sender = queue(file)
    const queued = await sender.waitFor('queued', 30_000)
    await writeFile(file, 'draft two, longer\n')
    const out = join(suite.dir, 'bob-out-stale')
    const receiver = receive(out)
    await receiver.waitFor('ready', 30_000)
    assert.equal(await sender.exitCode(90_000), 1)
    const error = await sender.waitFor('error', 0)
    assert.deepEqual([error.code, error.reason], ['outbox-stale', 'file-changed'])
    assert.match(error.message as string, /changed after it was queued/)
    await receiver.stop()
    assert.deepEqual(await listAll(out).catch(() => []), [])
    assert.deepEqual(await outbox(), [])
    const stale = (await history(aliceDir)).find(t => t.id === queued.id)
    assert.deepEqual([stale?.state, stale?.errorCode, stale?.errorReason], ['failed', 'outbox-stale', 'file-changed'])
  })

  it('ferry outbox cancel removes a queued send; a second cancel says not-found', async () => {
    const file = join(suite.dir, 'src', 'never.txt')
    await writeFile(file, 'never sent\n')
    const sender = queue(file)
    const queued = await sender.waitFor('queued', 30_000)
    await sender.stop('SIGINT')
    assert.deepEqual((await outbox()).map(e => e.id), [queued.id])
    const cancelled = await ok(['outbox', 'cancel', queued.id as string, '--data-dir', aliceDir])
    assert.deepEqual(cancelled.map(e => [e.event, e.id]), [['cancelled', queued.id]])
    assert.deepEqual(await outbox(), [])
    const again = ferry(['outbox', 'cancel', queued.id as string, '--data-dir', aliceDir])
    assert.equal(await again.exitCode(), 1)
    assert.equal((await again.waitFor('error', 0)).code, 'not-found')
  })
})
