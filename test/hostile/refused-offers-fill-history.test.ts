/**
 * Attack: peers that are not contacts send offers of `MAX_FILES` (50,000) files each, again and again, from several
 * identities; the person never answers, so every offer is refused `busy` or withdrawn undecided. Invariant: an offer
 * that was never accepted from a peer that is not a contact costs the receiver no history (no transfer row, no file
 * rows): the database (`ferry.db` + its `-wal`) grows by at most 10 MiB over 100 such offers.
 */
import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { DATABASE_FILE } from '../../src-main/core/peer/index.ts'
import { MAX_FILES } from '../../src-main/core/protocol/index.ts'
import { offerOf, startAttacker, startVictim } from './malicious-peer.ts'
import type { Attacker, Victim } from './malicious-peer.ts'

const OFFERS = 100
const ATTACKERS = 4
/** Database growth allowed over the whole attack, bytes. */
const MAX_GROWTH_BYTES = 10 * 1024 * 1024

async function databaseBytes (dataDir: string): Promise<number> {
  let total = 0
  for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`]) total += await stat(join(dataDir, name)).then(s => s.size, () => 0)
  return total
}

describe('hostile peers: refused offers of 50,000 files each, to fill the history', () => {
  let victim: Victim
  let attackers: Attacker[]
  let release: () => void

  before(async () => {
    const held = new Promise<void>(resolve => { release = resolve })
    // A person who never answers: each offer waits until it is withdrawn, or is refused busy.
    victim = await startVictim(async () => { await held; return { accept: false, reason: 'no' } })
    attackers = await Promise.all(Array.from({ length: ATTACKERS }, async () => startAttacker()))
  })
  after(async () => {
    release()
    for (const a of attackers ?? []) await a.stop()
    await victim?.stop()
  })

  it('100 refused or undecided 50,000-file offers grow the database by at most 10 MiB', async () => {
    const dataDir = join(victim.dir, 'data')
    const files = Array.from({ length: MAX_FILES }, (_, i) => ({ path: `d/f${String(i).padStart(5, '0')}.bin`, size: 1 }))
    const before = await databaseBytes(dataDir)
    const answers = new Map<string, number>()
    for (let i = 0; i < OFFERS; i++) {
      // Each attacker moves on to a new offer (resetting its earlier streams: those offers are withdrawn undecided).
      const s = await attackers[i % ATTACKERS]!.open(victim.addr)
      s.control(offerOf(files))
      const answer = await s.nextControl(1500).then(m => m.type === 'reject' ? m.code : m.type, () => 'waiting')
      answers.set(answer, (answers.get(answer) ?? 0) + 1)
    }
    for (const a of attackers) await a.open(victim.addr) // withdraws the last offers
    await new Promise(resolve => setTimeout(resolve, 2000)) // the victim records (or not) what ended
    const growth = await databaseBytes(dataDir) - before
    const summary = [...answers].map(([k, n]) => `${k}: ${n}`).join(', ')
    console.log(`# database growth after ${OFFERS} offers of ${MAX_FILES} files: ${(growth / 1024 / 1024).toFixed(2)} MiB (${summary})`)
    assert.equal(answers.get('accept'), undefined, summary)
    assert.ok(growth <= MAX_GROWTH_BYTES, `the database grew by ${growth} bytes (${summary})`)
    assert.equal(victim.peer.store.transfers.list({ direction: 'receive' }).length, 0, 'no history row for a stranger\'s offer that was never accepted')
  })
})
