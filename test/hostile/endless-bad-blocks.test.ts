/**
 * Attack: a sender whose blocks never match their hashes — corrupt on purpose, forever — to keep the victim asking
 * for them again. Invariant: each bad block is asked for again with a `nack` (never accepted), the victim gives up
 * after `MAX_REWINDS`, fails the transfer with `hash-mismatch`, and never places the file.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { MAX_REWINDS } from '../../src-main/core/protocol/index.ts'
import { entries, offerOf, victimAndAttacker } from './malicious-peer.ts'

describe('hostile peer: blocks that never match their hashes', () => {
  const t = victimAndAttacker()

  it('every bad block is asked for again, then the transfer fails with hash-mismatch and no file is placed', async () => {
    const content = randomBytes(4096)
    const s = await t.attacker.open(t.victim.addr)
    s.control(offerOf([{ path: 'poisoned.bin', size: content.byteLength }]))
    assert.equal((await s.nextControl()).type, 'accept')
    s.control({ type: 'file-start', index: 0, offset: 0 })
    let nacks = 0
    while (true) {
      s.data(content)
      s.control({ type: 'block', index: 0, offset: 0, sha256: 'f'.repeat(64) })
      const answer = await s.nextControl()
      if (answer.type === 'nack') {
        assert.deepEqual({ index: answer.index, offset: answer.offset }, { index: 0, offset: 0 })
        nacks++
        s.control({ type: 'rewind', index: 0, offset: 0 })
        continue
      }
      assert.equal(answer.type === 'error' && answer.code, 'hash-mismatch', JSON.stringify(answer))
      break
    }
    assert.equal(nacks, MAX_REWINDS)
    assert.deepEqual(await entries(t.victim.downloadDir), [])
  })
})
