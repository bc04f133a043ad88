/**
 * Invariant: a file to send is checked where it enters and opened, when its bytes are read, only if it is still a
 * regular file, never through a symbolic link: one swapped since the check — for a link to a file elsewhere, a folder
 * or a FIFO — fails with `read-failed` and is not read.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { TransferError } from '../../src-main/core/protocol/index.ts'
import { openLocalFile } from '../../src-main/core/transfer/local-files.ts'
import { rm, tempDir } from '../helpers/files.ts'

describe('opening a file to send', () => {
  const dirs: string[] = []
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })

  it('opens a regular file; refuses a link, a folder and a FIFO put in its place with read-failed', async () => {
    const dir = await tempDir('ferry-open-source-')
    dirs.push(dir)
    await writeFile(join(dir, 'a.txt'), 'hello')
    await writeFile(join(dir, 'secret.txt'), 'not picked')
    await symlink(join(dir, 'secret.txt'), join(dir, 'link.txt'))
    await mkdir(join(dir, 'folder'))
    execFileSync('mkfifo', [join(dir, 'fifo')])
    const fh = await openLocalFile({ relPath: 'a.txt', absPath: join(dir, 'a.txt'), size: 5 })
    assert.equal((await fh.readFile()).toString(), 'hello')
    await fh.close()
    for (const name of ['link.txt', 'folder', 'fifo', 'missing.txt']) {
      await assert.rejects(openLocalFile({ relPath: name, absPath: join(dir, name), size: 5 }),
        (err: unknown) => err instanceof TransferError && err.code === 'read-failed', name)
    }
  })
})
