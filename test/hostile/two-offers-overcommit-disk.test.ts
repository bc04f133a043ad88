/**
 * Attack: offers that together need more room than the receiver's disk has, each small enough to pass the free-space
 * check alone — two 1.5 MiB offers on a 2 MiB disk — so both are accepted, both run out of space, and their partial
 * files stay; and a transfer that fails deep in a folder tree leaves the folders it created. Invariant: free space is
 * checked against what the transfers already accepted will still write (the second offer is refused with
 * `insufficient-space` before anything touches disk, the first completes intact), and a transfer that fails leaves
 * neither a temp file nor an empty folder it created — at once, or, while another transfer into the same folder runs
 * (which may be about to use those folders), once that one ends.
 *
 * The download folder is a 2 MiB tmpfs (needs root), as in `test/faults/disk-full-keeps-partial.test.ts`.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { assertRoot, mountTmpfs, needsRoot, unmount } from '../helpers/files.ts'
import { entries, eventually, offerOf, sendHonestFile, sha256, startAttacker, startVictim } from './malicious-peer.ts'
import type { Attacker, Victim } from './malicious-peer.ts'

const DISK_BYTES = 2 * 1024 * 1024
const OFFER_BYTES = 1.5 * 1024 * 1024

describe('hostile peer: two offers that together overcommit the disk', needsRoot('mount a small tmpfs'), () => {
  let victim: Victim
  let attacker: Attacker

  before(async () => {
    assertRoot('mount a small tmpfs')
    victim = await startVictim()
    await mountTmpfs(victim.downloadDir, DISK_BYTES)
    attacker = await startAttacker()
  })
  after(async () => {
    await attacker?.stop()
    if (victim != null) await unmount(victim.downloadDir)
    await victim?.stop()
  })

  it('the second offer is refused with insufficient-space; the first completes intact; no partial file stays', async () => {
    const first = randomBytes(OFFER_BYTES)
    const second = randomBytes(OFFER_BYTES)
    const s1 = await attacker.open(victim.addr)
    s1.control(offerOf([{ path: 'one.bin', size: first.byteLength }]))
    assert.equal((await s1.nextControl()).type, 'accept')
    const s2 = await attacker.open(victim.addr, { keepOthers: true })
    s2.control(offerOf([{ path: 'two.bin', size: second.byteLength }]))
    const answer = await s2.nextControl()
    // Before: 'accept' — 3 MiB accepted on a 2 MiB disk.
    assert.equal(answer.type === 'error' && answer.code, 'insufficient-space', `the second offer: ${JSON.stringify(answer)}`)
    await s2.channel.close().catch(() => {})
    sendHonestFile(s1, 0, first)
    s1.control({ type: 'done' })
    assert.equal((await s1.nextControl()).type, 'complete')
    assert.equal(sha256(await readFile(join(victim.downloadDir, 'one.bin'))), sha256(first))
    // The refused offer's stream may still be closing; once it has, nothing but the placed file is left.
    await eventually(async () => (await entries(victim.downloadDir)).join() === 'one.bin', 5000).catch(() => {})
    assert.deepEqual(await entries(victim.downloadDir), ['one.bin'], 'no partial file and no temp folder is left')
  })

  it('a transfer that fails deep in a folder tree leaves no temp file and none of the folders it created', async () => {
    const folders = Array.from({ length: 31 }, (_, i) => `d${i}`).join('/')
    const content = randomBytes(100_000)
    const s = await attacker.open(victim.addr)
    s.control(offerOf([{ path: `${folders}/f.bin`, size: content.byteLength }]))
    assert.equal((await s.nextControl()).type, 'accept')
    s.control({ type: 'file-start', index: 0, offset: 0 })
    s.data(content)
    s.control({ type: 'block', index: 0, offset: 0, sha256: sha256(content) })
    s.control({ type: 'file-end', index: 0, sha256: sha256(Buffer.from('something else')) })
    const answer = await s.nextControl()
    assert.equal(answer.type === 'error' && answer.code, 'hash-mismatch', JSON.stringify(answer))
    const left = await entries(victim.downloadDir)
    // Before: the 31 folders d0 … d0/…/d30 stayed.
    assert.deepEqual(left, ['one.bin'], `left behind: ${left.filter(e => e !== 'one.bin').length} entries`)
  })

  it('while another transfer into the same folder runs, the failed one\'s empty folders go once that one ends', async () => {
    const other = randomBytes(50_000)
    const running = await attacker.open(victim.addr)
    running.control(offerOf([{ path: 'running.bin', size: other.byteLength }]))
    assert.equal((await running.nextControl()).type, 'accept')
    const content = randomBytes(1000)
    const s = await attacker.open(victim.addr, { keepOthers: true })
    s.control(offerOf([{ path: 'x/y/z/f.bin', size: content.byteLength }]))
    assert.equal((await s.nextControl()).type, 'accept')
    s.control({ type: 'file-start', index: 0, offset: 0 })
    s.data(content)
    s.control({ type: 'block', index: 0, offset: 0, sha256: sha256(content) })
    s.control({ type: 'file-end', index: 0, sha256: sha256(Buffer.from('something else')) })
    const answer = await s.nextControl()
    assert.equal(answer.type === 'error' && answer.code, 'hash-mismatch', JSON.stringify(answer))
    sendHonestFile(running, 0, other)
    running.control({ type: 'done' })
    assert.equal((await running.nextControl()).type, 'complete')
    await s.channel.close().catch(() => {})
    await eventually(async () => !(await entries(victim.downloadDir)).includes('x'), 5000).catch(() => {})
    assert.deepEqual(await entries(victim.downloadDir), ['one.bin', 'running.bin'])
  })
})

describe('hostile peer: two offers that together overcommit the disk, waiting for the decision together', needsRoot('mount a small tmpfs'), () => {
  let victim: Victim
  let attacker: Attacker
  const waiting: Array<() => void> = []

  before(async () => {
    assertRoot('mount a small tmpfs')
    // Both offers pass the first check (nothing is accepted yet); the person then accepts both at once.
    victim = await startVictim(async () => {
      await new Promise<void>(resolve => {
        waiting.push(resolve)
        if (waiting.length === 2) for (const go of waiting) go()
      })
      return { accept: true }
    })
    await mountTmpfs(victim.downloadDir, DISK_BYTES)
    attacker = await startAttacker()
  })
  after(async () => {
    await attacker?.stop()
    if (victim != null) await unmount(victim.downloadDir)
    await victim?.stop()
  })

  it('only one is accepted; the other gets insufficient-space at the accept', async () => {
    const streams = [await attacker.open(victim.addr), await attacker.open(victim.addr, { keepOthers: true })]
    for (const [i, s] of streams.entries()) s.control(offerOf([{ path: `both-${i}.bin`, size: OFFER_BYTES }]))
    const answers = await Promise.all(streams.map(async s => await s.nextControl()))
    const kinds = answers.map(a => a.type === 'error' ? a.code : a.type).sort()
    // Before: ['accept', 'accept'].
    assert.deepEqual(kinds, ['accept', 'insufficient-space'], JSON.stringify(answers))
    assert.equal(victim.offers.length, 2, 'both offers were put to the person')
  })
})
