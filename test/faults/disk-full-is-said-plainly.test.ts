/**
 * Invariant: when the receiver's disk fills up mid-transfer, every place a person reads about it says so plainly, on
 * both sides: the receiver reads "The disk is full", the sender reads that the receiver's disk is full (it learns why
 * from the `reason` of the protocol's `error` message), in the `ferry` command's error line and `failed` event fields,
 * in the app's transfer views, and in the history — `ferry history`, and the app's views after a restart.
 *
 * Each side's download folder is a 40 MiB tmpfs (needs root), as in `disk-full-keeps-partial.test.ts`: the 30 MiB
 * file passes the free-space check, then the test fills the tmpfs while the offer waits for its answer, leaving about
 * 10 MiB, so a write fails with ENOSPC mid-file.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { statfs, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import type { TransferView } from '../../src-main/api/index.ts'
import { ferry, stopAll } from '../helpers/cli.ts'
import type { Event } from '../helpers/cli.ts'
import { assertRoot, mountTmpfs, needsRoot, randomFile, rm, tempDir, unmount } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, startTestApp } from '../app/helpers.ts'
import type { TestApp } from '../app/helpers.ts'

const TMPFS_BYTES = 40 * 1024 * 1024
const FILE_BYTES = 30 * 1024 * 1024
/** Room left on the tmpfs once the filler is written: the transfer runs out of space after about this much. */
const ROOM_BYTES = 10 * 1024 * 1024
const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url))

/** Fills the file system of `dir` up to `ROOM_BYTES` of free space. */
async function fill (dir: string): Promise<void> {
  const s = await statfs(dir)
  await writeFile(join(dir, 'filler'), Buffer.alloc(s.bavail * s.bsize - ROOM_BYTES))
}

/** `ferry history` in text mode, as a person reads it. */
async function historyText (dataDir: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'history', '--data-dir', dataDir], { env: { ...process.env, FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none', FERRY_MDNS: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  assert.equal(code, 0, out)
  return out
}

/** The words of a view's error, and its typed reason. */
function said (view: TransferView): { message: string, reason: unknown } {
  return { message: view.error?.message ?? '', reason: (view.error as { reason?: unknown } | undefined)?.reason }
}

function escaped (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe('a full disk is said plainly on both sides', needsRoot('mount a small tmpfs'), () => {
  let root: string
  let net: TestNetwork
  let source: string
  const mounts: string[] = []

  before(async () => {
    assertRoot('mount a small tmpfs')
    root = await tempDir('ferry-diskfull-words-')
    source = join(root, 'big.bin')
    await randomFile(source, FILE_BYTES)
    net = await TestNetwork.start(root)
  })

  after(async () => {
    await stopAll()
    await net?.stop()
    for (const dir of mounts) await unmount(dir)
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  async function smallDisk (name: string): Promise<string> {
    const dir = join(root, name)
    await mountTmpfs(dir, TMPFS_BYTES)
    mounts.push(dir)
    return dir
  }

  it('the ferry command: the receiver\'s error line, the sender\'s, and both histories', async () => {
    const out = await smallDisk('cli-downloads')
    const rxData = join(root, 'cli-rx')
    const txData = join(root, 'cli-tx')
    const receiver = ferry(['receive', '--relay', net.relayAddr, '--data-dir', rxData, '--out', out, '--once'])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to != null)
    const sender = ferry(['send', '--relay', net.relayAddr, '--to', to, '--data-dir', txData, source])
    await receiver.waitFor('offer')
    await fill(out)
    receiver.child.stdin?.write('y\n')

    const rxError: Event = await receiver.waitFor('error', 120_000)
    console.log(`# receiver printed: ${JSON.stringify(rxError)}`)
    const txError: Event = await sender.waitFor('error', 120_000)
    console.log(`# sender printed: ${JSON.stringify(txError)}`)
    assert.notEqual(await sender.exitCode(), 0)
    assert.notEqual(await receiver.exitCode(), 0)
    assert.deepEqual([rxError.code, rxError.reason], ['write-failed', 'disk-full'])
    assert.match(String(rxError.message), /^The disk is full\b/)
    assert.deepEqual([txError.code, txError.reason], ['write-failed', 'disk-full'])
    assert.match(String(txError.message), /^The receiver's disk is full\b/)

    const rxHistory = await historyText(rxData)
    const txHistory = await historyText(txData)
    console.log(`# receiver history: ${rxHistory.trim()}\n# sender history: ${txHistory.trim()}`)
    assert.match(rxHistory, /interrupted .*The disk is full\b/)
    assert.match(txHistory, /failed .*The receiver's disk is full\b/)
  })

  it('the app: both transfer views, and both histories after a restart', async () => {
    const downloadDir = await smallDisk('app-downloads')
    const signal = new AbortController().signal
    let rx: TestApp = await startTestApp(net, 'app-rx', { downloadDir })
    let tx: TestApp = await startTestApp(net, 'app-tx')
    try {
      rx.on('offer', o => { void fill(downloadDir).then(async () => rx.handlers.answerOffer({ transferId: o.transferId, accept: true }, signal)) })
      const rxEnded = nextEvent(rx, 'transfer', t => t.state === 'interrupted' || t.state === 'failed', 120_000)
      const txEnded = nextEvent(tx, 'transfer', t => t.state === 'failed' || t.state === 'interrupted', 120_000)
      const { transferId } = await tx.handlers.sendLocalFiles({ peerId: rx.peer.peerId, files: [{ path: source, relativePath: 'big.bin' }] }, signal)
      const onRx = await rxEnded
      const onTx = await txEnded
      console.log(`# receiver view: ${onRx.state} ${JSON.stringify(onRx.error)}\n# sender view: ${onTx.state} ${JSON.stringify(onTx.error)}`)
      assert.equal(onRx.id, transferId)
      assert.equal(onTx.id, transferId)
      const receiverWords = new RegExp(`^${escaped(onTx.peerName)}'s disk is full\\b`)
      assert.deepEqual(said(onRx).reason, 'disk-full')
      assert.match(said(onRx).message, /^The disk is full\b/)
      assert.deepEqual(said(onTx).reason, 'disk-full')
      assert.match(said(onTx).message, receiverWords)

      await Promise.all([rx.stop(), tx.stop()])
      rx = await startTestApp(net, 'app-rx', { downloadDir })
      tx = await startTestApp(net, 'app-tx')
      const [rxRow] = await rx.handlers.listHistory({}, signal)
      const [txRow] = await tx.handlers.listHistory({}, signal)
      assert.ok(rxRow != null && txRow != null)
      console.log(`# after a restart: receiver ${JSON.stringify(rxRow.error)}, sender ${JSON.stringify(txRow.error)}`)
      assert.deepEqual([rxRow.id, said(rxRow).reason], [transferId, 'disk-full'])
      assert.match(said(rxRow).message, /^The disk is full\b/)
      assert.deepEqual([txRow.id, said(txRow).reason], [transferId, 'disk-full'])
      assert.match(said(txRow).message, new RegExp(`^${escaped(txRow.peerName)}'s disk is full\\b`))
    } finally {
      await Promise.all([rx.stop(), tx.stop()])
    }
  })
})
