/**
 * Attack: names that collide — on case-insensitive or normalising file systems (macOS, Windows) or as file versus
 * folder — so that one file would silently overwrite or merge with another. Invariant: such an offer is refused as
 * a whole with `invalid-offer`; nothing is written.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { entries, offerOf, victimAndAttacker } from './malicious-peer.ts'

const COLLISIONS: Array<[string, string[]]> = [
  ['two names that differ only in case', ['Report.txt', 'report.txt']],
  ['two folders that differ only in case', ['Photos/a.jpg', 'photos/b.jpg']],
  ['composed and decomposed forms of the same name', ['caf\u00e9.txt', 'cafe\u0301.txt']],
  ['a file and a folder of the same name', ['notes', 'notes/today.txt']],
  ['the same path twice', ['twice.txt', 'twice.txt']]
]

describe('hostile peer: colliding names', () => {
  const t = victimAndAttacker()

  for (const [what, paths] of COLLISIONS) {
    it(`${what} are refused as a whole before anything touches disk`, async () => {
      const s = await t.attacker.open(t.victim.addr)
      s.control(offerOf(paths.map(path => ({ path, size: 1 }))))
      const answer = await s.nextControl()
      assert.equal(answer.type === 'reject' && answer.code, 'invalid-offer', JSON.stringify(answer))
      assert.deepEqual(await entries(t.victim.downloadDir), [])
      assert.equal(t.victim.offers.length, 0)
    })
  }
})
