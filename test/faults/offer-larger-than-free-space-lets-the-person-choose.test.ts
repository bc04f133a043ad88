/**
 * Invariant: an offer of several files that does not fit in the download folder as a whole is still put to the
 * person, with the room there is (`freeBytes`), so that they can choose files that fit — a 5 MiB offer on a disk
 * with ~4 MiB free used to be refused at once, though 2 MiB of it fit. Files chosen within the room arrive; accepting
 * more than fits fails with `insufficient-space` on both sides and writes nothing; an offer whose smallest file does
 * not fit either is refused before anyone is asked, as before.
 *
 * The download folder is a 4 MiB tmpfs (needs root), as in `test/faults/disk-full-keeps-partial.test.ts`.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { IncomingOffer, OfferDecision } from '../../src-main/core/transfer/index.ts'
import { assertRoot, mountTmpfs, needsRoot, randomFile, rm, tempDir, unmount } from '../helpers/files.ts'
import { fileSha256, TestNetwork } from '../helpers/peers.ts'
import type { TestPeer } from '../helpers/peers.ts'

const MiB = 1024 * 1024
const DISK_BYTES = 4 * MiB

describe('an offer larger than the free space', needsRoot('mount a small tmpfs'), () => {
  let root: string
  let downloadDir: string
  let net: TestNetwork
  let rx: TestPeer
  let tx: TestPeer
  /** What the receiver's person answers next, and the offers they were asked about. */
  let answer: (offer: IncomingOffer) => OfferDecision = () => ({ accept: true })
  const asked: IncomingOffer[] = []
  const files: Record<string, string> = {}

  before(async () => {
    assertRoot('mount a small tmpfs')
    root = await tempDir('ferry-no-room-')
    downloadDir = join(root, 'downloads')
    await mountTmpfs(downloadDir, DISK_BYTES)
    await mkdir(join(root, 'src'))
    for (const [name, bytes] of [['a.bin', MiB], ['b.bin', MiB], ['c.bin', 3 * MiB], ['d.bin', 4.5 * MiB], ['e.bin', 5 * MiB]] as const) {
      files[name] = join(root, 'src', name)
      await randomFile(files[name], bytes)
    }
    net = await TestNetwork.start(root)
    rx = await net.peer('rx', { downloadDir, decide: async (offer) => { asked.push(offer); return answer(offer) } })
    tx = await net.peer('tx', { acceptIncoming: false })
  })
  after(async () => {
    await net?.stop()
    if (downloadDir != null) await unmount(downloadDir)
    await rm(root, { recursive: true, force: true })
  })

  /** The files in the download folder (the partial-files folder left out). */
  async function received (): Promise<string[]> {
    return (await readdir(downloadDir)).filter(n => !n.startsWith('.')).sort()
  }

  it('accepting all of it fails insufficient-space on both sides, and nothing is written', async () => {
    const addr = rx.addr
    assert.ok(addr != null)
    answer = () => ({ accept: true })
    const err = await tx.transfers.send(addr, [files['a.bin'] ?? '', files['b.bin'] ?? '', files['c.bin'] ?? '']).then(() => undefined, (e: unknown) => e as { code?: string })
    assert.equal(err?.code, 'insufficient-space')
    const offer = asked.at(-1)
    assert.ok(offer?.freeBytes != null && offer.freeBytes >= 2 * MiB && offer.freeBytes < 5 * MiB, `asked with the room there is: ${offer?.freeBytes}`)
    assert.deepEqual(await received(), [])
    assert.equal(rx.store.transfers.get(offer.transferId)?.errorCode, 'insufficient-space')
  })

  it('files chosen within the room arrive, the others are not written', async () => {
    const addr = rx.addr
    assert.ok(addr != null)
    answer = () => ({ accept: true, files: [0, 1] })
    const result = await tx.transfers.send(addr, [files['a.bin'] ?? '', files['b.bin'] ?? '', files['c.bin'] ?? ''])
    assert.deepEqual(result.notAccepted, ['c.bin'])
    assert.ok(asked.at(-1)?.freeBytes != null, 'the person was told the room')
    assert.deepEqual(await received(), ['a.bin', 'b.bin'])
    assert.equal(await fileSha256(join(downloadDir, 'a.bin')), await fileSha256(files['a.bin'] ?? ''))
    assert.equal(await fileSha256(join(downloadDir, 'b.bin')), await fileSha256(files['b.bin'] ?? ''))
    for (const name of await received()) await unlink(join(downloadDir, name))
  })

  it('an offer that fits as a whole is asked about without freeBytes', async () => {
    const addr = rx.addr
    assert.ok(addr != null)
    answer = () => ({ accept: true })
    await tx.transfers.send(addr, [files['a.bin'] ?? '', files['b.bin'] ?? ''])
    assert.equal(asked.at(-1)?.freeBytes, undefined)
    for (const name of await received()) await unlink(join(downloadDir, name))
  })

  it('an offer whose smallest file does not fit is refused before anyone is asked', async () => {
    const addr = rx.addr
    assert.ok(addr != null)
    const before = asked.length
    const err = await tx.transfers.send(addr, [files['d.bin'] ?? '', files['e.bin'] ?? '']).then(() => undefined, (e: unknown) => e as { code?: string })
    assert.equal(err?.code, 'insufficient-space')
    assert.equal(asked.length, before, 'nobody was asked')
    assert.deepEqual(await received(), [])
  })
})
