/**
 * Invariant: the installers are built hardened and complete — electron-builder accepts electron-builder.yml against
 * its own schema; every fuse is set explicitly to the safe value; the native modules are unpacked from the asar; the
 * four platform targets, the app ID and the icons are there (PNG files of the promised sizes); and no file outside
 * src-main/electron/ imports Electron (the core, CLI and server run on plain Node).
 */
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, it } from 'node:test'

const repo = path.resolve(import.meta.dirname, '../..')
const require = createRequire(path.join(repo, 'package.json'))

interface BuilderConfig {
  appId?: string
  productName?: string
  /** As getConfig normalises it: `[{ filter: [pattern, …] }]`. */
  files?: Array<{ filter?: string[] }>
  asar?: boolean
  asarUnpack?: string[]
  electronFuses?: Record<string, boolean>
  linux?: { target?: string[], icon?: string }
  mac?: { target?: string, icon?: string }
  win?: { target?: string, icon?: string }
}

/** electron-builder's own loader and schema validation (app-builder-lib, a dependency of electron-builder). */
async function loadBuilderConfig (): Promise<BuilderConfig> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    getConfig: (dir: string, file: string | null, options: null) => Promise<BuilderConfig>
    validateConfiguration: (config: BuilderConfig, logger: unknown) => Promise<void>
  }
  const { DebugLogger } = require('builder-util/out/DebugLogger.js') as { DebugLogger: new (enabled: boolean) => unknown }
  const config = await getConfig(repo, path.join(repo, 'electron-builder.yml'), null)
  await validateConfiguration(config, new DebugLogger(false))
  return config
}

/** The `files` patterns of the config. */
function filePatterns (config: BuilderConfig): string[] {
  return (config.files ?? []).flatMap(f => f.filter ?? [])
}

/** Width and height of a PNG, from its IHDR chunk. */
async function pngSize (file: string): Promise<{ width: number, height: number }> {
  const bytes = await readFile(file)
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${file} is not a PNG`)
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

describe('packaging', () => {
  it('electron-builder.yml passes electron-builder\'s schema and names the app', async () => {
    const config = await loadBuilderConfig()
    assert.equal(config.appId, 'app.ferry.desktop')
    assert.equal(config.productName, 'Ferry')
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb'])
    assert.equal(config.mac?.target, 'dmg')
    assert.equal(config.win?.target, 'nsis')
    for (const f of ['package.json', 'dist/electron/**', 'dist/renderer/**']) assert.ok(filePatterns(config).includes(f), f)
  })

  it('sets every fuse explicitly to the hardened value', async () => {
    const config = await loadBuilderConfig()
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false
    })
  })

  it('packs an asar and unpacks the native modules better-sqlite3 and node-datachannel (with its platform package)', async () => {
    const config = await loadBuilderConfig()
    assert.equal(config.asar, true)
    assert.ok(config.asarUnpack?.includes('**/node_modules/better-sqlite3/**'))
    assert.ok(config.asarUnpack?.includes('**/node_modules/node-datachannel/**'))
    assert.ok(config.asarUnpack?.includes('**/node_modules/@node-datachannel/**'), 'node-datachannel\'s binary lives in its platform package')
    assert.ok(config.asarUnpack?.includes('**/*.node'))
  })

  it('ships the icons it names: a 1024 px app icon and 16/32 px tray icons, plain and macOS template', async () => {
    const config = await loadBuilderConfig()
    for (const icon of [config.linux?.icon, config.mac?.icon, config.win?.icon]) assert.equal(icon, 'assets/icon.png')
    assert.deepEqual(await pngSize(path.join(repo, 'assets', 'icon.png')), { width: 1024, height: 1024 })
    for (const [name, size] of [['tray.png', 16], ['tray@2x.png', 32], ['trayTemplate.png', 16], ['trayTemplate@2x.png', 32]] as const) {
      assert.deepEqual(await pngSize(path.join(repo, 'assets', name)), { width: size, height: size }, name)
      assert.ok(filePatterns(config).includes(`assets/${name}`), `${name} is packaged`)
    }
  })

  it('nothing outside src-main/electron/ imports electron', async () => {
    const offenders: string[] = []
    for (const top of ['src-main', 'src-renderer/src', 'bin']) {
      const files = await readdir(path.join(repo, top), { recursive: true }).catch(() => [] as string[])
      for (const rel of files) {
        const file = path.join(top, rel)
        if (!/\.(ts|js|mjs|svelte)$/.test(file) || file.startsWith(path.join('src-main', 'electron') + path.sep)) continue
        const code = await readFile(path.join(repo, file), 'utf8')
        if (/(from\s+|import\s*\(\s*|require\s*\(\s*)['"]electron(\/[^'"]*)?['"]/.test(code)) offenders.push(file)
      }
    }
    assert.deepEqual(offenders, [])
  })
})
