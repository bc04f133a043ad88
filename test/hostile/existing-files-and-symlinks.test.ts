/**
 * Attack: the destination already holds something under an offered name — a file the person cares about, or a
 * symbolic link planted to redirect the write outside the download folder. Invariant: no existing file is ever
 * overwritten (the new file gets a numbered name), a symlink is never written through, and a symlinked folder in the
 * path is refused.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { entries, offerOf, sendHonestFile, startAttacker, startVictim } from './malicious-peer.ts'
import type { Attacker, Victim } from './malicious-peer.ts'

describe('hostile peer: existing files and symlinks at the destination', () => {
  let victim: Victim
  let attacker: Attacker
  let outside: string

  before(async () => {
    victim = await startVictim()
    attacker = await startAttacker()
    outside = join(victim.dir, 'outside')
    await mkdir(outside)
    await mkdir(victim.downloadDir, { recursive: true })
  })
  after(async () => {
    await attacker.stop()
    await victim.stop()
  })

  it('an existing file of the same name is kept; the new one is placed under a numbered name', async () => {
    await writeFile(join(victim.downloadDir, 'thesis.pdf'), 'my only copy')
    const content = randomBytes(3000)
    const s = await attacker.open(victim.addr)
    s.control(offerOf([{ path: 'thesis.pdf', size: content.byteLength }]))
    assert.equal((await s.nextControl()).type, 'accept')
    sendHonestFile(s, 0, content)
    s.control({ type: 'done' })
    assert.equal((await s.nextControl()).type, 'complete')
    assert.equal(await readFile(join(victim.downloadDir, 'thesis.pdf'), 'utf8'), 'my only copy')
    assert.deepEqual(await readFile(join(victim.downloadDir, 'thesis (1).pdf')), content)
  })

  it('a symlink planted under an offered name is not written through', async () => {
    const target = join(outside, 'victim-config')
    await writeFile(target, 'untouched')
    await symlink(target, join(victim.downloadDir, 'config'))
    const content = Buffer.from('attacker content')
    const s = await attacker.open(victim.addr)
    s.control(offerOf([{ path: 'config', size: content.byteLength }]))
    assert.equal((await s.nextControl()).type, 'accept')
    sendHonestFile(s, 0, content)
    s.control({ type: 'done' })
    assert.equal((await s.nextControl()).type, 'complete')
    assert.equal(await readFile(target, 'utf8'), 'untouched')
    assert.ok((await lstat(join(victim.downloadDir, 'config'))).isSymbolicLink())
    assert.equal(await readlink(join(victim.downloadDir, 'config')), target)
    assert.deepEqual(await readFile(join(victim.downloadDir, 'config (1)')), content)
  })

  it('a symlinked folder in the path is refused and nothing is written through it', async () => {
    await symlink(outside, join(victim.downloadDir, 'linked'))
    const content = Buffer.from('would land outside')
    const s = await attacker.open(victim.addr)
    s.control(offerOf([{ path: 'linked/dropped.txt', size: content.byteLength }]))
    assert.equal((await s.nextControl()).type, 'accept')
    sendHonestFile(s, 0, content)
    const answer = await s.nextControl()
    assert.equal(answer.type, 'error')
    assert.equal(answer.type === 'error' && answer.code, 'unsafe-path')
    assert.ok(!(await entries(outside)).includes('dropped.txt'))
    assert.ok(!(await entries(outside)).some(e => e.endsWith('.part')))
  })
})
