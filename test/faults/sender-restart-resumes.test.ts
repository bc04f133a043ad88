/**
 * Invariant: a `ferry send` process killed mid-transfer (SIGKILL: no chance to clean up) loses nothing already
 * verified — re-running `ferry send` with the same paths and data directory resumes the same transfer from the
 * receiver's last verified block, says so (`resuming` with the bytes it skips, and `complete.skippedBytes`), and the
 * file arrives byte-identical, recorded completed on both sides. Relay, receiver and senders are separate processes.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BLOCK_BYTES } from '../../src-main/core/protocol/index.ts'
import { ferry, history, startRelay, stopAll } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256 } from '../helpers/peers.ts'

const FILE_BYTES = 200 * 1024 * 1024
/** The first sender is killed once the receiver reports more than this. */
const KILL_AFTER_BYTES = 40 * 1024 * 1024

describe('a sender process killed mid-transfer, then run again', () => {
  let dir: string
  let receiver: FerryProcess
  let receivedBeforeKill = 0
  let resuming: Event
  let complete: Event
  let secondCode: number | string
  let second: FerryProcess

  before(async () => {
    dir = await tempDir('ferry-sender-restart-')
    const source = join(dir, 'src', 'big.bin')
    await mkdir(join(dir, 'src'))
    await randomFile(source, FILE_BYTES)
    const { addr: relayAddr } = await startRelay(join(dir, 'relay'))
    receiver = ferry(['receive', '--relay', relayAddr, '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out'), '--yes'])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to)
    const sendArgs = ['send', '--relay', relayAddr, '--to', to, '--data-dir', join(dir, 'tx'), source]

    const first = ferry(sendArgs)
    const progress = await receiver.waitFor('progress', 60_000, e => (e.transferredBytes as number) > KILL_AFTER_BYTES)
    await first.stop('SIGKILL')
    receivedBeforeKill = Math.max(...receiver.events.filter(e => e.event === 'progress').map(e => e.transferredBytes as number), progress.transferredBytes as number)

    // Run again at once, before the receiver can notice the kill (a dead WebRTC peer goes unnoticed for ~15 s).
    second = ferry(sendArgs)
    secondCode = await second.exitCode(60_000)
    resuming = await second.waitFor('resuming', 0)
    complete = await second.waitFor('complete', 0)
  })

  after(async () => {
    await stopAll()
    await rm(dir, { recursive: true, force: true })
  })

  it('the re-run says it resumes, skipping only bytes the receiver had', () => {
    assert.equal(secondCode, 0, second.stderr)
    assert.ok(receivedBeforeKill > KILL_AFTER_BYTES && receivedBeforeKill < FILE_BYTES)
    const skipped = resuming.skippedBytes as number
    assert.ok(skipped > 0, 'verified bytes are not sent again')
    // The receiver keeps writing frames it had queued after the sender died, and progress events are throttled, so it
    // may hold more than it last reported; what it skips is whole verified blocks, at least what it reported before
    // the kill (less the block in progress), and never the whole file.
    assert.equal(skipped % BLOCK_BYTES, 0, `skipped ${skipped} is whole blocks`)
    assert.ok(skipped >= receivedBeforeKill - BLOCK_BYTES, `skipped ${skipped} ≥ reported before the kill ${receivedBeforeKill} − 1 block`)
    assert.ok(skipped < FILE_BYTES)
  })

  it('the receiver resumed the same transfer, also without waiting to notice the kill', async () => {
    const received = await receiver.waitFor('resuming', 0)
    assert.equal(received.transferId, resuming.transferId)
    assert.equal(received.skippedBytes, resuming.skippedBytes)
  })

  it('the re-run completes the same transfer and reports the skipped bytes', () => {
    assert.equal(complete.skippedBytes, resuming.skippedBytes)
    assert.equal(complete.transferId, resuming.transferId)
    assert.equal(complete.totalBytes, FILE_BYTES)
  })

  it('the file is byte-identical and no partial file is left', async () => {
    assert.deepEqual(await readdir(join(dir, 'out')), ['big.bin'])
    assert.equal(await fileSha256(join(dir, 'out', 'big.bin')), await fileSha256(join(dir, 'src', 'big.bin')))
  })

  it('both histories hold that one transfer, completed', async () => {
    await receiver.waitFor('complete', 10_000)
    for (const side of ['tx', 'rx']) {
      const transfers = await history(join(dir, side))
      assert.equal(transfers.length, 1, `${side}: the transfer was resumed in place, not started over`)
      assert.equal(transfers[0]?.id, complete.transferId)
      assert.equal(transfers[0]?.state, 'completed')
    }
  })
})
