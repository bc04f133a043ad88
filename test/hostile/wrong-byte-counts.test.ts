/**
 * Attack: a sender that sends more or fewer bytes than it offered, or claims to be done before sending every file.
 * Invariant: the transfer fails with `size-mismatch`, the file never appears under its final name, its temp file is
 * removed, and the victim records the transfer as failed.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { entries, eventually, offerOf, sendHonestFile, sha256, victimAndAttacker } from './malicious-peer.ts'
import type { RawStream } from './malicious-peer.ts'

describe('hostile peer: more or fewer bytes than offered', () => {
  const t = victimAndAttacker()

  async function expectSizeMismatch (run: (s: RawStream) => void, offer = offerOf([{ path: 'payload.bin', size: 1000 }]), left: string[] = []): Promise<void> {
    const s = await t.attacker.open(t.victim.addr)
    s.control(offer)
    assert.equal((await s.nextControl()).type, 'accept')
    run(s)
    const answer = await s.nextControl()
    assert.equal(answer.type === 'error' && answer.code, 'size-mismatch', JSON.stringify(answer))
    const transferId = offer.type === 'offer' ? offer.transferId : ''
    await eventually(() => t.victim.peer.store.transfers.get(transferId)?.state === 'failed')
    assert.deepEqual(await entries(t.victim.downloadDir), left, 'no final file of the lied-about file and no temp file')
  }

  it('more bytes than offered are refused before they are written', async () => {
    await expectSizeMismatch(s => {
      s.control({ type: 'file-start', index: 0, offset: 0 })
      s.data(randomBytes(1500))
    })
  })

  it('fewer bytes than offered, then file-end, fail the file', async () => {
    const short = randomBytes(600)
    await expectSizeMismatch(s => {
      s.control({ type: 'file-start', index: 0, offset: 0 })
      s.data(short)
      s.control({ type: 'file-end', index: 0, sha256: sha256(short) })
    })
  })

  it('done before every offered file was sent fails the transfer; only the file that arrived whole and verified is kept', async () => {
    const first = randomBytes(10)
    await expectSizeMismatch(s => {
      sendHonestFile(s, 0, first)
      s.control({ type: 'done' })
    }, offerOf([{ path: 'one.bin', size: 10 }, { path: 'two.bin', size: 10 }]), ['one.bin'])
  })
})
