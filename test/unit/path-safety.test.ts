/**
 * Invariant: no path a remote peer supplies can make Ferry write outside the chosen download folder, overwrite an
 * existing file, land two offered files on one name, or show a disguised name. Hostile paths are refused (never
 * rewritten) before anything touches disk, with an `UnsafePathError` whose `reason` names the rule broken.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs/promises'
import os from 'node:os'
import nodePath from 'node:path'
import {
  MAX_DEPTH, MAX_FREE_NAME_ATTEMPTS, MAX_SEGMENT_BYTES, NoFreeNameError, UnsafePathError, freeName, numberedName,
  placeFile, prepareDestination, resolveInside, validateFileList, validateRelativePath
} from '../../src-main/core/paths/index.ts'
import type { UnsafePathReason } from '../../src-main/core/paths/index.ts'

let tmp = ''
before(async () => { tmp = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ferry-paths-')) })
after(async () => { await fs.rm(tmp, { recursive: true, force: true }) })

/** A fresh empty folder under the test's temp dir. */
async function freshDir (name: string): Promise<string> {
  const dir = nodePath.join(tmp, name)
  await fs.mkdir(dir, { recursive: true })
  return dir
}

function isRefusal (reason: UnsafePathReason, path?: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof UnsafePathError, `expected UnsafePathError, got ${String(err)}`)
    assert.equal(err.name, 'UnsafePathError')
    assert.equal(err.code, 'unsafe-path')
    assert.equal(err.reason, reason)
    if (path !== undefined) assert.equal(err.path, path)
    return true
  }
}

function assertRefused (path: string, reason: UnsafePathReason): void {
  assert.throws(() => validateRelativePath(path), isRefusal(reason, path), `${JSON.stringify(path)} should be refused as ${reason}`)
  assert.throws(() => validateFileList([path]), isRefusal(reason, path))
  assert.throws(() => resolveInside('/tmp/x/dl', path), isRefusal(reason, path))
}

function assertListRefused (paths: string[], reason: UnsafePathReason, culprit: string, other?: string): void {
  assert.throws(() => validateFileList(paths), (err: unknown) => {
    isRefusal(reason, culprit)(err)
    if (other !== undefined) assert.equal((err as UnsafePathError).conflictsWith, other)
    return true
  })
}

describe('a single offered path', () => {
  test('a `../` segment is refused before anything touches disk, wherever it appears', () => {
    for (const p of ['../etc/passwd', 'a/../../b', '..', 'a/..', 'a/b/../../../c']) assertRefused(p, 'parent-segment')
  })

  test('the refusal message names the path and says why in plain words', () => {
    assert.throws(() => validateRelativePath('../etc/passwd'), { message: 'Refused "../etc/passwd": it points outside the download folder' })
  })

  test('a `.` segment, an empty segment and an empty path are refused', () => {
    for (const p of ['.', './a', 'a/./b']) assertRefused(p, 'current-segment')
    for (const p of ['a//b', 'a/', 'a/b/']) assertRefused(p, 'empty-segment')
    assertRefused('', 'empty-path')
  })

  test('absolute, drive-letter and UNC paths are refused', () => {
    for (const p of ['/etc/passwd', '/', '/tmp/x/dl-evil/x']) assertRefused(p, 'absolute')
    for (const p of ['C:\\x', 'C:x', 'c:', 'C:/Windows/win.ini', 'z:..']) assertRefused(p, 'drive-letter')
    for (const p of ['\\\\server\\share', '//server/share', '\\\\?\\C:\\x', '//']) assertRefused(p, 'unc')
  })

  test('any backslash is refused, since Windows reads it as a separator', () => {
    for (const p of ['a\\b', '..\\x', 'a/..\\..\\b', 'x\\']) assertRefused(p, 'backslash')
  })

  test('Windows reserved device names are refused in any case, with or without an extension, at any depth', () => {
    for (const p of ['CON', 'nul.txt', 'Com1', 'lpt9.tar.gz', 'COM\u00B9', 'LPT\u00B3.log', 'aux .c', 'dir/PRN/x', 'conin$', 'CLOCK$.txt']) {
      assertRefused(p, 'reserved-name')
    }
    for (const p of ['CONSOLE', 'com10', 'nullable.txt', 'xCON', 'COM0', 'auxiliary/x']) assert.deepEqual(validateRelativePath(p), p.split('/'))
  })

  test('invisible and bidi characters that disguise a name are refused', () => {
    for (const p of ['evil\u202Etxt.exe', '\u200Bx', 'x\uFEFFy', 'a\u00ADb', 'x\u2066y', 'a\u{E0041}', 'a\u2028b', 'dir\u200F/x', 'a\u180Eb']) {
      assertRefused(p, 'invisible-character')
    }
  })

  test('control characters (NUL, terminal escapes, DEL, C1) are refused', () => {
    for (const p of ['a\u0000b', '\u001b[31mred.txt', 'a\nb', 'a\u007fb', 'a\u0085b', 'a\u009b2J']) assertRefused(p, 'control-character')
  })

  test('hostile names are shown escaped in the message, never raw', () => {
    for (const p of ['evil\u202Etxt.exe', '\u001b[2Jx', 'a\u0085b']) {
      assert.throws(() => validateRelativePath(p), (err: unknown) => {
        const message = (err as Error).message
        assert.doesNotMatch(message, /[\u0000-\u001F\u007F-\u009F\u202E]/u) // eslint-disable-line no-control-regex
        assert.match(message, /\\u(001B|202E|0085)/iu)
        return true
      })
    }
  })

  test('characters Windows refuses in names are refused', () => {
    for (const p of ['ab:c', 'file.txt:hidden', 'what?', 'a<b', 'a>b', 'a*', 'a|b', 'say "hi"']) assertRefused(p, 'forbidden-character')
  })

  test('a name ending in a dot or a space is refused, since Windows strips it', () => {
    for (const p of ['a.', 'a ', 'dir./x', 'dir /x', 'a...']) assertRefused(p, 'trailing-dot-or-space')
  })

  test('a name over 255 UTF-8 bytes is refused even when it is only 128 characters', () => {
    const twoByte = '\u00E9'.repeat(128)
    assert.equal(twoByte.length, 128)
    assert.equal(Buffer.byteLength(twoByte), 256)
    assertRefused(twoByte, 'segment-too-long')
    assertRefused(`dir/${'a'.repeat(256)}`, 'segment-too-long')
    const fits = '\u00E9'.repeat(127) + 'a'
    assert.equal(Buffer.byteLength(fits), MAX_SEGMENT_BYTES)
    assert.deepEqual(validateRelativePath(fits), [fits])
  })

  test('a path over 1024 bytes or deeper than 32 levels is refused', () => {
    const at1023 = Array(4).fill('a'.repeat(255)).join('/')
    assert.equal(validateRelativePath(at1023).length, 4)
    assertRefused(Array(5).fill('a'.repeat(250)).join('/'), 'path-too-long')
    assert.equal(validateRelativePath(Array(MAX_DEPTH).fill('a').join('/')).length, MAX_DEPTH)
    assertRefused(Array(MAX_DEPTH + 1).fill('a').join('/'), 'too-deep')
  })

  test('broken Unicode and non-text input are refused', () => {
    assertRefused('a\uD800b', 'invalid-unicode')
    assert.throws(() => validateRelativePath(42 as unknown as string), isRefusal('not-a-string'))
    assert.throws(() => validateFileList([null as unknown as string]), isRefusal('not-a-string'))
  })

  test('a valid path is returned as its segments, unchanged (NFD stays NFD)', () => {
    assert.deepEqual(validateRelativePath('photos/2024/beach.jpg'), ['photos', '2024', 'beach.jpg'])
    assert.deepEqual(validateRelativePath('caf\u0065\u0301/.bashrc'), ['caf\u0065\u0301', '.bashrc'])
  })
})

describe('a whole offered file list', () => {
  test('a valid nested list with non-ASCII names passes', () => {
    const list = ['photos/2024/plage \u00E9t\u00E9.jpg', 'photos/2024/\u5317\u4EAC.png', 'docs/r\u00E9sum\u00E9.pdf', 'README', '.hidden/\u{1F600}.txt']
    assert.doesNotThrow(() => validateFileList(list))
  })

  test('one bad path anywhere refuses the whole list', () => {
    assertListRefused(['a.txt', 'b.txt', 'sub/../../c.txt', 'd.txt'], 'parent-segment', 'sub/../../c.txt')
  })

  test('the same path offered twice is refused', () => {
    assertListRefused(['x/a.txt', 'y', 'x/a.txt'], 'duplicate', 'x/a.txt', 'x/a.txt')
  })

  test('names differing only in case are refused, since they are one file on Windows and macOS', () => {
    assertListRefused(['A.txt', 'a.txt'], 'case-collision', 'a.txt', 'A.txt')
    assertListRefused(['Photos/x.jpg', 'photos/y.jpg'], 'case-collision', 'photos/y.jpg', 'Photos/x.jpg')
    assertListRefused(['dir/\u00C9t\u00E9.txt', 'dir/\u00E9T\u00C9.TXT'], 'case-collision', 'dir/\u00E9T\u00C9.TXT')
  })

  test('names equal after Unicode NFC normalization are refused (composed vs decomposed)', () => {
    const composed = 'caf\u00E9.txt'
    const decomposed = 'cafe\u0301.txt'
    assert.notEqual(composed, decomposed)
    assertListRefused([composed, decomposed], 'unicode-collision', decomposed, composed)
    assertListRefused(['\u00E9/a', 'e\u0301/b'], 'unicode-collision', 'e\u0301/b')
  })

  test('a name offered both as a file and as a folder is refused, in either order', () => {
    assertListRefused(['a', 'a/b'], 'file-folder-collision', 'a/b', 'a')
    assertListRefused(['a/b/c', 'a/b'], 'file-folder-collision', 'a/b', 'a/b/c')
    assertListRefused(['A', 'a/b'], 'file-folder-collision', 'a/b', 'A')
  })
})

/** Deterministic PRNG (mulberry32), so a fuzz failure reproduces. */
function prng (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('resolving under the download folder', () => {
  const root = '/tmp/x/dl'

  test('a valid path resolves to a native path strictly inside the folder', () => {
    assert.equal(resolveInside(root, 'photos/beach.jpg'), nodePath.join(root, 'photos', 'beach.jpg'))
  })

  test('a sibling folder sharing the prefix (`dl` vs `dl-evil`) cannot be expressed', () => {
    const attempts = ['../dl-evil/x', '..\\dl-evil\\x', '/tmp/x/dl-evil/x', '-evil/x', '..-evil', 'C:/tmp/x/dl-evil', '//tmp/x/dl-evil', './../dl-evil']
    let refused = 0
    for (const p of attempts) {
      try {
        const out = resolveInside(root, p)
        assert.ok(out.startsWith(root + nodePath.sep), out)
        assert.ok(!out.startsWith(root + '-evil'), out)
      } catch (err) {
        assert.ok(err instanceof UnsafePathError, String(err))
        refused++
      }
    }
    assert.ok(refused >= attempts.length - 2, `only ${refused} refused`) // `-evil/x` and `..-evil` are plain names inside dl
  })

  test('fuzz: any string either is refused or resolves inside the folder, and re-validates to the same segments', () => {
    const pieces = ['..', '.', '/', '/', '\\', 'C:', 'c:', 'a', 'b.txt', '\u00E9', 'e\u0301', ' ', '-evil', 'dl-evil', '~', '%2e%2e',
      '\u202E', '\u0000', 'CON', '//', '\u{1F600}', '\uD800', ':', 'x'.repeat(120), '\u5317', '$HOME', '...', '.git']
    const rand = prng(0xF33)
    let accepted = 0
    let refused = 0
    for (let i = 0; i < 2000; i++) {
      // Half free-form strings, half `/`-joined runs of pieces (so `a/../b`-shaped inputs are common).
      const count = 1 + Math.floor(rand() * 8)
      const separator = i % 2 === 0 ? '' : '/'
      const parts: string[] = []
      for (let j = 0; j < count; j++) parts.push(pieces[Math.floor(rand() * pieces.length)] as string)
      const input = parts.join(separator)
      let out: string
      try {
        out = resolveInside(root, input)
      } catch (err) {
        assert.ok(err instanceof UnsafePathError, `${JSON.stringify(input)} threw ${String(err)}`)
        assert.equal(err.code, 'unsafe-path')
        refused++
        continue
      }
      accepted++
      const rel = nodePath.relative(root, out)
      assert.ok(out.startsWith(root + nodePath.sep), `${JSON.stringify(input)} -> ${out}`)
      assert.ok(rel !== '' && rel !== '..' && !rel.startsWith('..' + nodePath.sep) && !nodePath.isAbsolute(rel), `${JSON.stringify(input)} -> ${out}`)
      const segments = validateRelativePath(input)
      const again = rel.split(nodePath.sep)
      assert.deepEqual(again, segments, `${JSON.stringify(input)} changed on the way`)
      assert.deepEqual(validateRelativePath(again.join('/')), segments)
      assert.equal(again.join('/'), input)
    }
    // Not vacuous: both outcomes occur often.
    assert.ok(accepted > 100, `only ${accepted} accepted`)
    assert.ok(refused > 100, `only ${refused} refused`)
  })
})

describe('creating folders on disk', () => {
  test('parent folders are created one by one and the parent is returned', async () => {
    const root = await freshDir('prep-ok')
    const dir = await prepareDestination(root, 'photos/2024/\u00E9t\u00E9/beach.jpg')
    assert.equal(dir, nodePath.join(root, 'photos', '2024', '\u00E9t\u00E9'))
    assert.ok((await fs.lstat(dir)).isDirectory())
    assert.equal(await prepareDestination(root, 'top.txt'), root)
    await assert.rejects(fs.lstat(nodePath.join(root, 'top.txt')), { code: 'ENOENT' }) // the file itself is not created
  })

  test('a symlink inside the download folder pointing outside is refused and nothing is written through it', async () => {
    const root = await freshDir('link-dl')
    const outside = await freshDir('link-dl-evil')
    await fs.symlink(outside, nodePath.join(root, 'inbox'), 'dir')
    await assert.rejects(prepareDestination(root, 'inbox/sub/x.txt'), isRefusal('symlink-in-path', 'inbox/sub/x.txt'))
    await fs.mkdir(nodePath.join(root, 'real'))
    await fs.symlink(outside, nodePath.join(root, 'real', 'deeper'), 'dir')
    await assert.rejects(prepareDestination(root, 'real/deeper/x.txt'), isRefusal('symlink-in-path'))
    assert.deepEqual(await fs.readdir(outside), [])
  })

  test('an existing file where a folder is needed is refused', async () => {
    const root = await freshDir('notdir')
    await fs.writeFile(nodePath.join(root, 'afile'), 'x')
    await assert.rejects(prepareDestination(root, 'afile/x.txt'), isRefusal('not-a-directory'))
  })

  test('hostile paths are refused before any folder is created', async () => {
    const root = await freshDir('prep-hostile')
    await assert.rejects(prepareDestination(root, 'made/../../escape.txt'), isRefusal('parent-segment'))
    assert.deepEqual(await fs.readdir(root), [])
  })

  test('an aborted signal stops before creating anything', async () => {
    const root = await freshDir('prep-abort')
    await assert.rejects(prepareDestination(root, 'a/b.txt', AbortSignal.abort()), { name: 'AbortedError', code: 'aborted' })
    assert.deepEqual(await fs.readdir(root), [])
  })
})

describe('placing finished files', () => {
  test('numbered names split at the last dot, keep leading-dot names whole, and stay within 255 bytes', () => {
    assert.equal(numberedName('report.pdf', 1), 'report (1).pdf')
    assert.equal(numberedName('archive.tar.gz', 2), 'archive.tar (2).gz')
    assert.equal(numberedName('.bashrc', 1), '.bashrc (1)')
    assert.equal(numberedName('README', 3), 'README (3)')
    const long = '\u00E9'.repeat(125) + '.txt' // 254 bytes
    const numbered = numberedName(long, 10)
    assert.ok(Buffer.byteLength(numbered) <= MAX_SEGMENT_BYTES)
    assert.ok(numbered.endsWith(' (10).txt'))
    assert.deepEqual(validateRelativePath(numbered), [numbered])
  })

  test('freeName returns the name when free and the next numbered name when taken', async () => {
    const dir = await freshDir('free')
    assert.equal(await freeName(dir, '.bashrc'), '.bashrc')
    await fs.writeFile(nodePath.join(dir, '.bashrc'), '')
    await fs.writeFile(nodePath.join(dir, '.bashrc (1)'), '')
    assert.equal(await freeName(dir, '.bashrc'), '.bashrc (2)')
    await assert.rejects(freeName(dir, '../x'), isRefusal('parent-segment'))
    await assert.rejects(freeName(dir, 'a/b'), isRefusal('not-a-single-name'))
  })

  test('placing a file never overwrites an existing one: both are kept', async () => {
    const dir = await freshDir('place')
    const existing = nodePath.join(dir, 'report.pdf')
    await fs.writeFile(existing, 'X')
    const temp = nodePath.join(dir, '.ferry-tmp-1')
    await fs.writeFile(temp, 'Y')
    const placed = await placeFile(temp, dir, 'report.pdf')
    assert.equal(placed, nodePath.join(dir, 'report (1).pdf'))
    assert.equal(await fs.readFile(existing, 'utf8'), 'X')
    assert.equal(await fs.readFile(placed, 'utf8'), 'Y')
    await assert.rejects(fs.lstat(temp), { code: 'ENOENT' })

    const temp2 = nodePath.join(dir, '.ferry-tmp-2')
    await fs.writeFile(temp2, 'Z')
    assert.equal(await placeFile(temp2, dir, 'report.pdf'), nodePath.join(dir, 'report (2).pdf'))
    assert.deepEqual((await fs.readdir(dir)).sort(), ['report (1).pdf', 'report (2).pdf', 'report.pdf'])
  })

  test('a free name is used as is', async () => {
    const dir = await freshDir('place-free')
    const temp = nodePath.join(dir, '.tmp')
    await fs.writeFile(temp, 'data')
    assert.equal(await placeFile(temp, dir, 'new.txt'), nodePath.join(dir, 'new.txt'))
    assert.equal(await fs.readFile(nodePath.join(dir, 'new.txt'), 'utf8'), 'data')
  })

  test('a dangling symlink at the destination counts as taken and is never written through', async () => {
    const dir = await freshDir('place-link')
    const target = nodePath.join(tmp, 'place-link-target.txt')
    await fs.symlink(target, nodePath.join(dir, 'x.txt'))
    const temp = nodePath.join(dir, '.tmp')
    await fs.writeFile(temp, 'data')
    assert.equal(await placeFile(temp, dir, 'x.txt'), nodePath.join(dir, 'x (1).txt'))
    await assert.rejects(fs.lstat(target), { code: 'ENOENT' })
  })

  test('concurrent placements of the same name all land on distinct names with their own content', async () => {
    const dir = await freshDir('place-race')
    const temps = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const temp = nodePath.join(dir, `.tmp-${i}`)
      await fs.writeFile(temp, `content ${i}`)
      return temp
    }))
    const placed = await Promise.all(temps.map(async t => await placeFile(t, dir, 'same.bin')))
    assert.equal(new Set(placed).size, 20)
    const contents = await Promise.all(placed.map(async p => await fs.readFile(p, 'utf8')))
    assert.deepEqual(contents.sort(), Array.from({ length: 20 }, (_, i) => `content ${i}`).sort())
    assert.equal((await fs.readdir(dir)).length, 20)
  })

  test('placing refuses an unsafe name and leaves the temp file alone', async () => {
    const dir = await freshDir('place-bad')
    const temp = nodePath.join(dir, '.tmp')
    await fs.writeFile(temp, 'data')
    await assert.rejects(placeFile(temp, dir, '../escape.txt'), isRefusal('parent-segment'))
    await assert.rejects(placeFile(temp, dir, 'CON'), isRefusal('reserved-name'))
    assert.deepEqual(await fs.readdir(dir), ['.tmp'])
  })

  test('after 10,000 taken names it gives up with NoFreeNameError', async () => {
    const dir = await freshDir('exhaust')
    for (let start = 0; start <= MAX_FREE_NAME_ATTEMPTS; start += 500) {
      const batch = []
      for (let n = start; n < Math.min(start + 500, MAX_FREE_NAME_ATTEMPTS + 1); n++) {
        batch.push(fs.writeFile(nodePath.join(dir, numberedName('f.txt', n)), ''))
      }
      await Promise.all(batch)
    }
    await assert.rejects(freeName(dir, 'f.txt'), { name: 'NoFreeNameError', code: 'no-free-name' })
    const temp = nodePath.join(tmp, 'exhaust.tmp')
    await fs.writeFile(temp, 'data')
    await assert.rejects(placeFile(temp, dir, 'f.txt'), (err: unknown) => err instanceof NoFreeNameError)
    assert.equal(await fs.readFile(temp, 'utf8'), 'data')
  })
})
