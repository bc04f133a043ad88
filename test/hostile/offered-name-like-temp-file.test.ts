/**
 * Attack: a peer offers a file named like one of the receiver's own temp files (`.ferry-<transferId>-<index>.part`,
 * the name the receiver gave the partial file of a transfer's file `index`), so that the receiver would later open
 * the placed file as its temp file, truncate and overwrite it, and remove its name — within one transfer (file 0 is
 * named like file 1's temp file) or across two transfers from the same peer (transfer X places a file named like
 * transfer Y's first temp file, then transfer Y runs). Invariant: a received file is never touched again once it is
 * placed — every file is on disk with the bytes that were verified, and the history says so truthfully; temp files
 * live in a folder no offered path can name, which is refused in any case and spelling.
 */
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { ControlMessage } from '../../src-main/core/protocol/index.ts'
import { tempName } from '../../src-main/core/transfer/index.ts'
import { entries, sendHonestFile, sha256, victimAndAttacker } from './malicious-peer.ts'
import type { RawStream, Victim } from './malicious-peer.ts'

/** The name the receiver gave the temp file of file `index` of `transferId` before temp files had their own folder. */
function oldTempName (transferId: string, index: number): string {
  return `.ferry-${transferId}-${index}.part`
}

function offer (transferId: string, files: Array<{ path: string, content: Uint8Array }>): ControlMessage {
  return { type: 'offer', version: 1, transferId, totalBytes: files.reduce((n, f) => n + f.content.byteLength, 0), files: files.map(f => ({ path: f.path, size: f.content.byteLength })) }
}

/** Sends `files` as one honest transfer on `s`; returns the victim's last answer. */
async function sendAll (s: RawStream, transferId: string, files: Array<{ path: string, content: Uint8Array }>): Promise<ControlMessage> {
  s.control(offer(transferId, files))
  const accept = await s.nextControl()
  assert.equal(accept.type, 'accept', JSON.stringify(accept))
  for (const [i, f] of files.entries()) sendHonestFile(s, i, f.content)
  s.control({ type: 'done' })
  return await s.nextControl()
}

/** Every file of `transferId` is recorded verified, and its recorded place holds exactly the bytes sent. */
async function assertIntactAndTruthful (victim: Victim, transferId: string, files: Array<{ path: string, content: Uint8Array }>): Promise<void> {
  const store = victim.peer.store
  assert.equal(store.transfers.get(transferId)?.state, 'completed')
  for (const [i, record] of store.transfers.files(transferId).entries()) {
    const sent = files[i]?.content
    assert.ok(sent != null)
    assert.equal(record.state, 'verified')
    assert.equal(record.sha256, sha256(sent))
    assert.ok(record.localPath != null, `file ${i} has a recorded place`)
    const onDisk = await readFile(record.localPath).catch(() => undefined)
    assert.ok(onDisk != null, `file ${i} (${record.relPath}) is still on disk at its recorded place`)
    assert.equal(sha256(onDisk), sha256(sent), `file ${i} (${record.relPath}) holds the bytes it was verified with`)
  }
}

describe('hostile peer: an offered name like the receiver\'s temp file', () => {
  const t = victimAndAttacker()

  // The names temp files had before they got their own folder, and the names they have in it now.
  const schemes: Array<[string, (transferId: string, index: number) => string]> = [
    ['.ferry-<id>-<index>.part', oldTempName],
    ['<id>-<index>.part', tempName]
  ]
  for (const [i, [scheme, nameOf]] of schemes.entries()) {
    it(`in one transfer (file 0 named like file 1's temp file, ${scheme}), both files stay intact and history is truthful`, async () => {
      const transferId = randomUUID()
      const files = [
        { path: nameOf(transferId, 1), content: randomBytes(200_000) },
        { path: `second-${i}.bin`, content: randomBytes(150_000) }
      ]
      const s = await t.attacker.open(t.victim.addr)
      const answer = await sendAll(s, transferId, files)
      assert.equal(answer.type, 'complete', JSON.stringify(answer))
      await assertIntactAndTruthful(t.victim, transferId, files)
      assert.deepEqual(await readFile(join(t.victim.downloadDir, files[0]?.path ?? '')), files[0]?.content)
      assert.deepEqual(await readFile(join(t.victim.downloadDir, `second-${i}.bin`)), files[1]?.content)
      assert.ok(!(await entries(t.victim.downloadDir)).includes('.ferry-partial'), 'no partial file and no temp folder is left')
    })

    it(`across two transfers (X places a file named like Y's temp file, ${scheme}, then Y runs), both stay intact and history is truthful`, async () => {
      const x = randomUUID()
      const y = randomUUID()
      const xFiles = [{ path: `across-${i}/${nameOf(y, 0)}`, content: randomBytes(300_000) }]
      const yFiles = [{ path: `across-${i}/y.bin`, content: randomBytes(100_000) }]
      const answerX = await sendAll(await t.attacker.open(t.victim.addr), x, xFiles)
      assert.equal(answerX.type, 'complete', JSON.stringify(answerX))
      const answerY = await sendAll(await t.attacker.open(t.victim.addr), y, yFiles)
      assert.equal(answerY.type, 'complete', JSON.stringify(answerY))
      await assertIntactAndTruthful(t.victim, x, xFiles)
      await assertIntactAndTruthful(t.victim, y, yFiles)
      assert.deepEqual(await readFile(join(t.victim.downloadDir, xFiles[0]?.path ?? '')), xFiles[0]?.content)
    })
  }

  // The folder's name in any case, anywhere in a path, alone, and as the short names Windows may give it.
  for (const path of ['.ferry-partial/x.part', '.FERRY-PARTIAL/x.part', 'deep/.Ferry-Partial/x.part', '.ferry-partial', 'FERRY-~1/x.part', 'fe3a9c~2/x.part']) {
    it(`the temp files' folder cannot be named by an offered path: "${path}" is refused before anything touches disk`, async () => {
      const before = await entries(t.victim.downloadDir)
      const offers = t.victim.offers.length
      const s = await t.attacker.open(t.victim.addr)
      s.control(offer(randomUUID(), [{ path, content: randomBytes(10) }]))
      const answer = await s.nextControl()
      assert.equal(answer.type === 'reject' && answer.code, 'invalid-offer', JSON.stringify(answer))
      assert.deepEqual(await entries(t.victim.downloadDir), before)
      assert.equal(t.victim.offers.length, offers)
    })
  }
})
