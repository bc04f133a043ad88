/**
 * Attack: a peer that opens a transfer and then goes silent — before its offer, or in the middle of a file — to hold
 * the victim's resources forever. Invariant: the victim gives up after its stall timeout, records the transfer as
 * failed with `timeout`, removes the partial file, and frees the stream.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { entries, eventually, offerOf, victimAndAttacker, VICTIM_TIMEOUTS } from './malicious-peer.ts'

describe('hostile peer: a peer that stalls forever', () => {
  const t = victimAndAttacker()

  it('a stream that never sends its offer is closed after the offer timeout', async () => {
    const s = await t.attacker.open(t.victim.addr)
    const started = Date.now()
    const answer = await s.nextControl(VICTIM_TIMEOUTS.offerMs * 4)
    assert.equal(answer.type === 'reject' && answer.code, 'timeout', JSON.stringify(answer))
    assert.ok(Date.now() - started >= VICTIM_TIMEOUTS.offerMs - 100)
  })

  it('a sender that stops in the middle of a file is given up on after the stall timeout, and its partial file removed', async () => {
    const offer = offerOf([{ path: 'never-finished.bin', size: 5_000_000 }])
    const s = await t.attacker.open(t.victim.addr)
    s.control(offer)
    assert.equal((await s.nextControl()).type, 'accept')
    s.control({ type: 'file-start', index: 0, offset: 0 })
    s.data(randomBytes(100_000))
    const started = Date.now()
    const answer = await s.nextControl(VICTIM_TIMEOUTS.stallMs * 4)
    assert.equal(answer.type === 'error' && answer.code, 'timeout', JSON.stringify(answer))
    assert.ok(Date.now() - started >= VICTIM_TIMEOUTS.stallMs - 500)
    const transferId = offer.type === 'offer' ? offer.transferId : ''
    await eventually(() => t.victim.peer.store.transfers.get(transferId)?.state === 'failed')
    assert.equal(t.victim.peer.store.transfers.get(transferId)?.errorCode, 'timeout')
    assert.deepEqual(await entries(t.victim.downloadDir), [])
  })
})
