/**
 * Invariant: a `ferry receive` process killed mid-transfer (SIGKILL) and started again with the same data directory,
 * download folder and relay — so the same peer ID at the same address — gets the rest of the transfer without anyone
 * touching the sender: the sender (`--retry-for`) notices the interruption, reaches the receiver again and resumes
 * from the last verified block recorded in the receiver's SQLite and partial file. No verified byte is sent twice, the
 * file arrives byte-identical, and both histories say completed.
 *
 * A killed WebRTC peer is only noticed when the connection times out (no SCTP abort), ~12–15 s: most of this test's
 * time is that wait.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, history, startRelay, stopAll } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { fileSha256 } from '../helpers/peers.ts'

const FILE_BYTES = 120 * 1024 * 1024
/** The receiver is killed once it reports more than this. */
const KILL_AFTER_BYTES = 30 * 1024 * 1024

describe('a receiver process killed mid-transfer and started again', () => {
  let dir: string
  let sender: FerryProcess
  let first: FerryProcess
  let second: FerryProcess
  let firstAddr: string
  let secondAddr: string
  let receivedBeforeKill = 0
  let senderCode: number | string
  let interrupted: Event
  let resuming: Event
  let complete: Event

  before(async () => {
    dir = await tempDir('ferry-receiver-restart-')
    await mkdir(join(dir, 'src'))
    const source = join(dir, 'src', 'big.bin')
    await randomFile(source, FILE_BYTES)
    const { addr: relayAddr } = await startRelay(join(dir, 'relay'))
    const receiveArgs = ['receive', '--relay', relayAddr, '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out'), '--yes']
    const addrOf = (ready: Event): string => {
      const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
      assert.ok(to, 'the receiver prints its WebRTC address')
      return to
    }

    first = ferry(receiveArgs)
    firstAddr = addrOf(await first.waitFor('ready'))
    sender = ferry(['send', '--relay', relayAddr, '--to', firstAddr, '--data-dir', join(dir, 'tx'), '--retry-for', '120', source])
    await first.waitFor('progress', 60_000, e => (e.transferredBytes as number) > KILL_AFTER_BYTES)
    await first.stop('SIGKILL')
    const killedAt = Date.now()
    receivedBeforeKill = Math.max(...first.events.filter(e => e.event === 'progress').map(e => e.transferredBytes as number))

    second = ferry(receiveArgs)
    secondAddr = addrOf(await second.waitFor('ready'))
    interrupted = await sender.waitFor('interrupted', 45_000)
    console.log(`# the sender had noticed the killed receiver by ${Date.now() - killedAt} ms: ${String(interrupted.message)}`)
    senderCode = await sender.exitCode(60_000)
    resuming = await sender.waitFor('resuming', 0)
    complete = await sender.waitFor('complete', 0)
    await second.waitFor('complete', 10_000)
  })

  after(async () => {
    await stopAll()
    await rm(dir, { recursive: true, force: true })
  })

  it('the restarted receiver has the same peer ID and address', () => {
    assert.equal(secondAddr, firstAddr)
  })

  it('the sender, never restarted, noticed the interruption and resumed by itself', () => {
    assert.equal(senderCode, 0, sender.stderr)
    const order = sender.events.map(e => e.event).filter(e => ['connected', 'interrupted', 'resuming', 'complete'].includes(e))
    assert.deepEqual(order.slice(0, 1), ['connected'])
    assert.ok(order.indexOf('interrupted') < order.indexOf('resuming') && order.indexOf('resuming') < order.indexOf('complete'), order.join(' → '))
    assert.equal(typeof interrupted.message, 'string')
  })

  it('the verified bytes were not sent again', () => {
    const skipped = resuming.skippedBytes as number
    assert.ok(skipped > 0, 'the receiver kept what it had verified')
    assert.ok(skipped <= receivedBeforeKill, `skipped ${skipped} ≤ written before the kill ${receivedBeforeKill}`)
    assert.equal(complete.skippedBytes, skipped)
    assert.equal(complete.transferId, resuming.transferId)
    const received = second.events.find(e => e.event === 'resuming')
    assert.equal(received?.skippedBytes, skipped, 'the restarted receiver resumed from its SQLite record and partial file')
  })

  it('the file is byte-identical and no partial file is left', async () => {
    assert.deepEqual(await readdir(join(dir, 'out')), ['big.bin'])
    assert.equal(await fileSha256(join(dir, 'out', 'big.bin')), await fileSha256(join(dir, 'src', 'big.bin')))
  })

  it('both histories hold that one transfer, completed', async () => {
    for (const side of ['tx', 'rx']) {
      const transfers = await history(join(dir, side))
      assert.equal(transfers.length, 1, `${side}: the transfer was resumed in place, not started over`)
      assert.equal(transfers[0]?.id, complete.transferId)
      assert.equal(transfers[0]?.state, 'completed')
    }
  })
})
