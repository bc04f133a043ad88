/**
 * Invariant: every catalog of src-main/text/locales has exactly the keys of the English one, every message is valid
 * ICU MessageFormat that formats in its language with the same arguments as its English original, and every key the
 * code names (in src-main and src-renderer/src) is in the catalogs — so no person ever reads a key, a blank or a
 * stray English sentence in a complete language. Also: the language follows the system locale and the setting, and
 * sizes, durations and plurals are written for the language.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { CATALOGS, LANGUAGES, formatBytes, formatDuration, describeFailure, resolveLanguage, setLanguage, t, translate } from '../../src-main/text/index.ts'
import type { MessageKey } from '../../src-main/text/index.ts'
import { systemLocale } from '../../src-main/app/environment.ts'

const ROOT = join(import.meta.dirname, '..', '..')

/** Every `.ts` and `.svelte` file under `dir`. */
async function sources (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(ts|svelte)$/.test(entry.name)) out.push(join(entry.parentPath, entry.name))
  }
  return out
}

/** The top-level argument names of an ICU message (`{name}`, `{count, plural, …}`). */
function argumentsOf (message: string): string[] {
  return [...new Set([...message.matchAll(/\{(\w+)\s*[,}]/g)].map(m => m[1] ?? ''))].sort()
}

describe('message catalogs (src-main/text/locales)', () => {
  after(() => { setLanguage('en') })

  it('every catalog has exactly the keys of the English catalog, none empty', () => {
    const english = Object.keys(CATALOGS.en).sort()
    assert.ok(english.length > 300, `the English catalog has its keys (${english.length})`)
    for (const language of LANGUAGES) {
      const keys = Object.keys(CATALOGS[language]).sort()
      assert.deepEqual(english.filter(k => !keys.includes(k)), [], `${language} lacks keys`)
      assert.deepEqual(keys.filter(k => !english.includes(k)), [], `${language} has keys English lacks`)
      const empty = keys.filter(k => CATALOGS[language][k as MessageKey].trim() === '')
      assert.deepEqual(empty, [], `${language} has empty messages`)
    }
  })

  it('every message formats in its language, with the arguments of its English original', () => {
    const errors: unknown[] = []
    const consoleError = console.error
    console.error = (...args: unknown[]) => { errors.push(args) }
    try {
      for (const language of LANGUAGES) {
        for (const key of Object.keys(CATALOGS.en) as MessageKey[]) {
          const args = argumentsOf(CATALOGS.en[key])
          assert.deepEqual(argumentsOf(CATALOGS[language][key]), args, `${language} ${key}: arguments`)
          const values = Object.fromEntries(args.map(a => [a, 2]))
          const text = translate(language, key, values)
          assert.ok(text !== '' && !text.includes('{'), `${language} ${key} formats: ${text}`)
        }
      }
    } finally {
      console.error = consoleError
    }
    assert.deepEqual(errors, [], 'FormatJS reported no broken message')
  })

  it('every key the code names is in the catalogs', async () => {
    const namespaces = new Set(Object.keys(CATALOGS.en).map(k => k.split('.')[0]))
    const files = [...await sources(join(ROOT, 'src-main')), ...await sources(join(ROOT, 'src-renderer', 'src'))]
      .filter(f => !f.includes(join('text', 'locales')))
    const missing: string[] = []
    let found = 0
    for (const file of files) {
      const source = await readFile(file, 'utf8')
      for (const m of source.matchAll(/'([a-zA-Z]+(?:\.[a-zA-Z0-9]+)+)'/g)) {
        const key = m[1] ?? ''
        if (!namespaces.has(key.split('.')[0]) || /\.(ts|js|svelte|json|db|key|png)$/.test(key)) continue
        found++
        if (!(key in CATALOGS.en)) missing.push(`${file.slice(ROOT.length + 1)}: ${key}`)
      }
    }
    assert.ok(found > 300, `the scan finds the keys the code uses (${found})`)
    assert.deepEqual(missing, [])
  })

  it('the language follows the system locale unless the setting names one', () => {
    assert.equal(resolveLanguage('system', 'zh_CN.UTF-8'), 'zh-CN')
    assert.equal(resolveLanguage('system', 'zh-Hans-SG'), 'zh-CN')
    assert.equal(resolveLanguage(undefined, 'zh'), 'zh-CN')
    assert.equal(resolveLanguage('system', 'en_GB.UTF-8'), 'en')
    assert.equal(resolveLanguage('system', 'de-DE'), 'en')
    assert.equal(resolveLanguage('system', undefined), 'en')
    assert.equal(resolveLanguage('en', 'zh_CN.UTF-8'), 'en')
    assert.equal(resolveLanguage('zh-CN', 'en-US'), 'zh-CN')
    assert.equal(systemLocale({ LANG: 'zh_CN.UTF-8' }), 'zh_CN.UTF-8')
    assert.equal(systemLocale({ LC_ALL: 'zh_TW.UTF-8', LANG: 'en_US.UTF-8' }), 'zh_TW.UTF-8')
    assert.equal(systemLocale({ LANG: 'C.UTF-8' }), Intl.DateTimeFormat().resolvedOptions().locale)
  })

  it('plurals, sizes, durations and failures are written for the language', () => {
    setLanguage('en')
    assert.equal(t('common.files', { count: 1 }), '1 file')
    assert.equal(t('common.files', { count: 1200 }), '1,200 files')
    assert.equal(formatDuration(75_000), '1 min 15 s')
    assert.equal(formatDuration(2500), '2.5 s')
    assert.equal(formatBytes(1_572_864), '1.5 MiB')
    setLanguage('zh-CN')
    assert.equal(t('common.files', { count: 1 }), '1 个文件')
    assert.equal(t('common.files', { count: 1200 }), '1,200 个文件')
    assert.equal(formatDuration(75_000), '1 分 15 秒')
    assert.equal(formatDuration(7_500_000), '2 小时 5 分')
    assert.equal(formatBytes(1_572_864), '1.5 MiB', 'the binary units are the same symbols in Chinese')
    assert.equal(describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'send' }).message, '接收方的磁盘已满。腾出空间后即可继续传输。')
    assert.equal(t('view.peers'), '对等节点')
    setLanguage('en')
    assert.equal(t('view.peers'), 'Peers')
  })
})
