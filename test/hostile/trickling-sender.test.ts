/**
 * Attack: a sender whose offer was accepted trickles its file — one byte at a time, each just before the stall timer
 * would fire — so the transfer (its stream slot, temp file and history row) never ends. Invariant: after `accept` the
 * sender must deliver at least `MIN_TRANSFER_BYTES_PER_SECOND` (1 KiB/s) averaged over the minimum-rate window
 * (60 s by default; 3 s here through the `timeouts` test option), counting only the time the receiver spent waiting
 * for it; below that the receiver ends the transfer with `timeout`, records it failed and removes the partial file.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MIN_TRANSFER_BYTES_PER_SECOND } from '../../src-main/core/protocol/index.ts'
import { entries, eventually, offerOf, startAttacker, startVictim, VICTIM_TIMEOUTS } from './malicious-peer.ts'
import type { Attacker, Victim } from './malicious-peer.ts'

/** The victim's minimum-rate window, ms: short, so the test is quick. */
const WINDOW_MS = 3000
/** A byte every this many ms: well inside the victim's stall timeout, so only the minimum rate can end it. */
const TRICKLE_EVERY_MS = VICTIM_TIMEOUTS.stallMs / 4

describe('hostile peer: a sender that trickles its file to keep the transfer open forever', () => {
  let victim: Victim
  let attacker: Attacker

  before(async () => {
    victim = await startVictim(undefined, { timeouts: { minRateWindowMs: WINDOW_MS } })
    attacker = await startAttacker()
  })
  after(async () => {
    await attacker?.stop()
    await victim?.stop()
  })

  it('a sender below the minimum rate is ended with timeout within about one window', async () => {
    assert.ok(MIN_TRANSFER_BYTES_PER_SECOND * WINDOW_MS / 1000 > WINDOW_MS / TRICKLE_EVERY_MS, 'the trickle is below the minimum rate')
    const offer = offerOf([{ path: 'slow.bin', size: 1_000_000 }])
    const s = await attacker.open(victim.addr)
    s.control(offer)
    assert.equal((await s.nextControl()).type, 'accept')
    s.control({ type: 'file-start', index: 0, offset: 0 })
    const started = Date.now()
    let trickled = 0
    const trickle = setInterval(() => {
      try {
        s.data(new Uint8Array([trickled++ & 0xff]))
      } catch {
        clearInterval(trickle) // the victim ended the stream
      }
    }, TRICKLE_EVERY_MS)
    try {
      // Without a minimum rate this waits forever (well, for the 20 s given here): each byte restarts the stall timer.
      const answer = await s.nextControl(WINDOW_MS + 6 * TRICKLE_EVERY_MS + 10_000)
      const elapsed = Date.now() - started
      console.log(`trickled ${trickled} bytes; the victim answered ${answer.type} ${'code' in answer ? answer.code : ''} after ${elapsed} ms`)
      assert.equal(answer.type === 'error' && answer.code, 'timeout', JSON.stringify(answer))
      assert.ok(elapsed >= WINDOW_MS - 100, `ended after ${elapsed} ms, before one window`)
      assert.ok(elapsed <= WINDOW_MS + VICTIM_TIMEOUTS.stallMs + 2000, `ended after ${elapsed} ms`)
    } finally {
      clearInterval(trickle)
    }
    const transferId = offer.type === 'offer' ? offer.transferId : ''
    await eventually(() => victim.peer.store.transfers.get(transferId)?.state === 'failed')
    assert.equal(victim.peer.store.transfers.get(transferId)?.errorCode, 'timeout')
    assert.deepEqual(await entries(victim.downloadDir), [])
  })
})
