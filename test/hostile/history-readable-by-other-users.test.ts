/**
 * Attack: another user on the same machine reads the transfer history (peer IDs, file names, local paths) because the
 * data folder was left 0755 and `ferry.db` 0644 — when `ferry history` was the first command to run on a new data
 * folder, or when the folder already existed with an open mode. Invariant: whatever command opens the data folder
 * first, and whatever mode it had, afterwards the folder is 0700 and the database files (`ferry.db`, `-wal`, `-shm`)
 * are 0600. The real CLI runs (`node bin/ferry.js history --data-dir …`) with the usual umask 022.
 */
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, stopAll } from '../helpers/cli.ts'

/** The permission bits of `path`, e.g. 0o700. */
async function modeOf (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

/** Every database file in `dataDir` with its mode, as `name 0600`. */
async function databaseModes (dataDir: string): Promise<string[]> {
  const names = (await readdir(dataDir)).filter(n => n.startsWith('ferry.db')).sort()
  return Promise.all(names.map(async n => `${n} 0${(await modeOf(join(dataDir, n))).toString(8)}`))
}

async function runHistory (dataDir: string): Promise<void> {
  const p = ferry(['history', '--data-dir', dataDir])
  assert.equal(await p.exitCode(), 0, p.stderr)
}

describe('hostile local user: the history is private whatever creates the data folder', { skip: process.platform === 'win32' }, () => {
  let root: string
  const umask = process.umask(0o022)
  before(async () => { root = await mkdtemp(join(tmpdir(), 'ferry-perms-')) })
  after(async () => {
    process.umask(umask)
    await stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('`ferry history` as the first command creates a 0700 folder and 0600 database files', async () => {
    const dataDir = join(root, 'fresh', 'Ferry')
    await runHistory(dataDir)
    assert.equal((await modeOf(dataDir)).toString(8), '700')
    const modes = await databaseModes(dataDir)
    assert.ok(modes.includes('ferry.db 0600'), modes.join(', '))
    assert.deepEqual(modes.filter(m => !m.endsWith(' 0600')), [], modes.join(', '))
  })

  it('a data folder that already exists as 0755, with a 0644 database, is made private', async () => {
    const dataDir = join(root, 'open', 'Ferry')
    await mkdir(dataDir, { recursive: true, mode: 0o755 })
    await chmod(dataDir, 0o755)
    await runHistory(dataDir)
    // As an older Ferry (or a copy) left them: everything readable by others.
    for (const name of await readdir(dataDir)) await chmod(join(dataDir, name), 0o644)
    await writeFile(join(dataDir, 'ferry.db-wal'), '', { flag: 'a', mode: 0o644 })
    await chmod(join(dataDir, 'ferry.db-wal'), 0o644)
    await chmod(dataDir, 0o755)
    await runHistory(dataDir)
    assert.equal((await modeOf(dataDir)).toString(8), '700')
    const modes = await databaseModes(dataDir)
    assert.ok(modes.includes('ferry.db 0600'), modes.join(', '))
    assert.deepEqual(modes.filter(m => !m.endsWith(' 0600')), [], modes.join(', '))
  })
})
