/**
 * Sending a folder that holds a receiver's `.ferry-partial` folder (e.g. a whole download folder) leaves that folder
 * out and reports it as skipped: no receiver accepts the name (it holds partial files), and the rest still goes.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { validateFileList } from '../../src-main/core/paths/index.ts'
import { collectFiles } from '../../src-main/core/transfer/index.ts'

describe('a sent folder with a partial-files folder in it', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'ferry-send-partial-'))
    await mkdir(join(dir, 'Downloads', '.ferry-partial'), { recursive: true })
    await mkdir(join(dir, 'Downloads', 'album', '.Ferry-Partial'), { recursive: true })
    await writeFile(join(dir, 'Downloads', '.ferry-partial', 'x.part'), 'partial')
    await writeFile(join(dir, 'Downloads', 'album', '.Ferry-Partial', 'y.part'), 'partial')
    await writeFile(join(dir, 'Downloads', 'album', 'photo.jpg'), 'photo')
  })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('offers everything else, reports the partial-files folders as skipped, and passes the path rules', async () => {
    const { files, skipped } = await collectFiles([join(dir, 'Downloads')])
    assert.deepEqual(files.map(f => f.relPath), ['Downloads/album/photo.jpg'])
    assert.deepEqual(skipped.sort(), [join(dir, 'Downloads', '.ferry-partial'), join(dir, 'Downloads', 'album', '.Ferry-Partial')].sort())
    validateFileList(files.map(f => f.relPath))
  })
})
