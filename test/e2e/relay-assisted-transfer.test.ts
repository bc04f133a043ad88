/**
 * Invariant: a folder sent with `ferry send` to `ferry receive` through a local relay arrives byte-identical, over a
 * direct WebRTC DataChannel — the relay only carries the handshake, so stopping it once the data connection is up
 * does not stop the transfer — and both sides record it as completed. Relay, receiver and sender are separate
 * processes, and each exits on its own.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, history, startRelay, stopAll } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { makeTree, rm, tempDir, treeBytes, treeHashes } from '../helpers/files.ts'

const BIG_BYTES = 50 * 1024 * 1024

describe('relay-assisted WebRTC transfer of a folder', () => {
  let dir: string
  let sender: FerryProcess
  let receiver: FerryProcess
  let connected: Event
  let relayStoppedAt: number
  let receivedWhenRelayGone: number
  let senderCode: number | string
  let receiverCode: number | string
  let sentComplete: Event

  before(async () => {
    dir = await tempDir()
    await makeTree(join(dir, 'src', 'tree'), BIG_BYTES)
    const { relay, addr } = await startRelay(join(dir, 'relay'))
    receiver = ferry(['receive', '--relay', addr, '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out'), '--yes', '--once'])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to, 'the receiver prints its /p2p-circuit/webrtc address')
    sender = ferry(['send', '--relay', addr, '--to', to, '--data-dir', join(dir, 'tx'), join(dir, 'src', 'tree')])
    connected = await sender.waitFor('connected')
    // The data connection is up: take the relay away before the bulk of the bytes flow. SIGKILL, so it is gone at
    // once (a graceful stop can take longer than a fast transfer) and it cannot say goodbye to either peer.
    await relay.stop('SIGKILL')
    relayStoppedAt = Date.now()
    receivedWhenRelayGone = receiver.events.filter(e => e.event === 'progress').at(-1)?.transferredBytes as number | undefined ?? 0
    senderCode = await sender.exitCode(60_000)
    receiverCode = await receiver.exitCode(15_000)
    sentComplete = await sender.waitFor('complete', 0)
  })

  after(async () => {
    await stopAll()
    await rm(dir, { recursive: true, force: true })
  })

  it('relay stops after the handshake: the transfer still completes and both processes exit 0', () => {
    assert.equal(senderCode, 0, sender.stderr)
    assert.equal(receiverCode, 0, receiver.stderr)
    const progressAfterStop = receiver.events.filter(e => e.event === 'progress')
    assert.ok(progressAfterStop.length > 0, 'the receiver reported progress')
    assert.ok((sender.exitedAt ?? 0) > relayStoppedAt, 'the sender was still running when the relay was gone')
    assert.ok(receivedWhenRelayGone < BIG_BYTES / 2, `most bytes flowed after the relay was gone (${receivedWhenRelayGone} received before)`)
  })

  it('the received tree is byte-identical to the sent one, including an empty file and a non-ASCII name', async () => {
    const sent = await treeHashes(join(dir, 'src'))
    const received = await treeHashes(join(dir, 'out'))
    assert.equal(sent.size, 5)
    assert.deepEqual(received, sent)
  })

  it('the data connection is direct WebRTC, not a limited relayed circuit', () => {
    assert.equal(connected.transport, 'webrtc')
    assert.equal(connected.limited, false)
    assert.equal(sentComplete.transport, 'webrtc')
  })

  it('history shows the transfer completed on both sides with every file verified', async () => {
    const [sent] = await history(join(dir, 'tx'))
    const [received] = await history(join(dir, 'rx'))
    assert.ok(sent != null && received != null)
    assert.equal(sent.id, received.id)
    assert.equal(sent.direction, 'send')
    assert.equal(received.direction, 'receive')
    const total = await treeBytes(join(dir, 'src'))
    assert.ok(total > BIG_BYTES)
    for (const t of [sent, received]) {
      assert.equal(t.state, 'completed')
      assert.equal(t.totalBytes, total)
      assert.equal(t.transferredBytes, total)
      assert.ok((t.files as Array<{ state: string }>).every(f => f.state === 'verified'))
    }
  })

  it('the receiver exits on its own within seconds of the transfer ending', () => {
    assert.ok(receiver.exitedAt != null && sender.exitedAt != null)
    assert.ok(Math.abs(receiver.exitedAt - sender.exitedAt) < 10_000)
  })
})
