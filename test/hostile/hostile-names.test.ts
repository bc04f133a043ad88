/**
 * Attack: file names that are dangerous to write or to show — reserved device names, invisible and bidirectional
 * characters that disguise an extension, terminal escape sequences, control characters, over-long names, trailing
 * dots and spaces. Invariant: the offer is refused with `invalid-offer`, nobody is asked, nothing is written.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { entries, offerOf, victimAndAttacker } from './malicious-peer.ts'

const NAMES: Array<[string, string]> = [
  ['a reserved device name', 'CON'],
  ['a reserved name with an extension', 'nul.txt'],
  ['a reserved name in a folder', 'docs/Com1.log'],
  ['a right-to-left override disguising an extension', 'invoice\u202Efdp.exe'],
  ['a zero-width space', 'pass\u200Bwords.txt'],
  ['a terminal escape sequence', 'red\u001b[31m.txt'],
  ['a newline', 'two\nlines.txt'],
  ['a NUL byte', 'nul\u0000byte.txt'],
  ['a 256-byte name', 'é'.repeat(128)],
  ['a path of 1025 bytes', `${'d'.repeat(200)}/`.repeat(5) + 'x'.repeat(20)],
  ['a trailing dot', 'report.'],
  ['a trailing space', 'report '],
  ['a character Windows forbids', 'what?.txt'],
  ['HTML markup', '<img src=x onerror=alert(1)>.txt'],
  ['an empty segment', 'a//b.txt']
]

describe('hostile peer: dangerous names', () => {
  const t = victimAndAttacker()

  for (const [what, name] of NAMES) {
    it(`${what} is refused before anything touches disk`, async () => {
      const s = await t.attacker.open(t.victim.addr)
      s.control(offerOf([{ path: name, size: 3 }]))
      const answer = await s.nextControl()
      assert.equal(answer.type === 'reject' && answer.code, 'invalid-offer', JSON.stringify(answer))
      assert.deepEqual(await entries(t.victim.downloadDir), [])
      assert.equal(t.victim.offers.length, 0)
    })
  }

  it('an ordinary non-ASCII name still passes (the rules are not a blanket ban)', async () => {
    const s = await t.attacker.open(t.victim.addr)
    s.control(offerOf([{ path: 'Fotos/Grüße — 日本語.txt', size: 0 }]))
    const answer = await s.nextControl()
    assert.equal(answer.type, 'accept')
    assert.equal(t.victim.offers.length, 1)
  })
})
