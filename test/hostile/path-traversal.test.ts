/**
 * Attack: an offer whose paths point outside the download folder — `../`, absolute, drive and UNC paths, and a sibling
 * folder that only shares a prefix with it. Invariant: the whole offer is refused with `invalid-offer` before anyone is
 * asked and before anything touches disk; nothing is written inside or outside the download folder.
 */
import assert from 'node:assert/strict'
import { dirname } from 'node:path'
import { describe, it } from 'node:test'
import { entries, offerOf, victimAndAttacker } from './malicious-peer.ts'

const TRAVERSALS = [
  '../escape.txt',
  'a/../../escape.txt',
  '..',
  './x/../../escape.txt',
  '/etc/ferry-escape',
  '/tmp/ferry-escape',
  'C:\\Windows\\escape.txt',
  'C:escape.txt',
  'c:/escape.txt',
  '\\\\server\\share\\escape.txt',
  '//server/share/escape.txt',
  '..\\escape.txt',
  '../downloads-evil/escape.txt'
]

describe('hostile peer: path traversal', () => {
  const t = victimAndAttacker()

  for (const path of TRAVERSALS) {
    it(`an offer containing ${JSON.stringify(path)} is refused before anything touches disk`, async () => {
      const s = await t.attacker.open(t.victim.addr)
      // A harmless file first: the whole list is refused, not just the bad entry.
      s.control(offerOf([{ path: 'innocent.txt', size: 1 }, { path, size: 5 }]))
      const answer = await s.nextControl()
      assert.equal(answer.type, 'reject')
      assert.equal(answer.type === 'reject' && answer.code, 'invalid-offer')
      assert.deepEqual(await entries(t.victim.downloadDir), [])
      assert.deepEqual((await entries(dirname(t.victim.downloadDir))).filter(e => e.includes('escape') || e.includes('evil')), [])
      assert.equal(t.victim.offers.length, 0, 'nobody was asked about a hostile offer')
    })
  }
})
