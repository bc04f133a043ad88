/**
 * Attack: a flood of unsolicited offers, to bury the person in prompts or exhaust the victim. Invariant: at most
 * `MAX_PENDING_OFFERS_PER_PEER` offers from one peer wait for a decision at a time; the rest are refused with `busy`
 * without anyone being asked, and the victim stays responsive.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MAX_PENDING_OFFERS_PER_PEER } from '../../src-main/core/transfer/constants.ts'
import { eventually, offerOf, startAttacker, startVictim } from './malicious-peer.ts'
import type { Attacker, Victim } from './malicious-peer.ts'

describe('hostile peer: a flood of offers', () => {
  let victim: Victim
  let attacker: Attacker
  let release: () => void

  before(async () => {
    const held = new Promise<void>(resolve => { release = resolve })
    // A person who does not answer: every decision waits until the test releases it.
    victim = await startVictim(async () => { await held; return { accept: false, reason: 'no' } })
    attacker = await startAttacker()
  })
  after(async () => {
    release()
    await attacker.stop()
    await victim.stop()
  })

  it('only a bounded number of offers reach the person; the rest are answered busy at once', async () => {
    // Streams are limited per connection, so the flood comes over several connections from the same peer.
    const FLOOD = 12
    const answers: string[] = []
    const streams = []
    for (let i = 0; i < FLOOD; i++) {
      const s = await attacker.open(victim.addr, { keepOthers: true }).catch(() => undefined)
      if (s == null) { answers.push('stream-refused'); continue }
      try {
        s.control(offerOf([{ path: `spam-${i}.txt`, size: 1 }]))
        streams.push(s)
      } catch {
        answers.push('stream-refused') // over the connection's inbound stream limit: reset by the victim
      }
    }
    // Under load the offers take a moment to arrive: wait for the ones that get through, then give the rest time.
    await eventually(() => victim.offers.length >= MAX_PENDING_OFFERS_PER_PEER, 15_000)
    await Promise.all(streams.map(async s => {
      const answer = await s.nextControl(3000).catch((err: Error) => err.name === 'TransferError' ? undefined : err)
      answers.push(answer instanceof Error ? 'stream-refused' : answer?.type === 'reject' ? answer.code : answer == null ? 'waiting' : answer.type)
    }))
    assert.equal(victim.offers.length, MAX_PENDING_OFFERS_PER_PEER, `${victim.offers.length} offers reached the person`)
    assert.equal(answers.filter(a => a === 'waiting').length, MAX_PENDING_OFFERS_PER_PEER, answers.join(','))
    assert.ok(answers.filter(a => a === 'busy' || a === 'stream-refused').length >= FLOOD - MAX_PENDING_OFFERS_PER_PEER, answers.join(','))
    assert.ok(answers.includes('busy'), answers.join(','))
  })
})
