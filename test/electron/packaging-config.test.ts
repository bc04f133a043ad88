/**
 * Invariant: the installers are built hardened and complete — electron-builder accepts electron-builder.yml against
 * its own schema; every fuse is set explicitly to the safe value, and every fuse the installed electron-builder knows
 * (its schema's `FuseOptionsV1`, and @electron/fuses' `FuseV1Options` wire as app-builder-lib maps it) is among them,
 * so upgrading to an electron-builder with a new fuse fails here until it is set; the native modules are unpacked
 * from the asar; the platform targets (AppImage + deb, dmg + zip for updates, NSIS), the app ID and the icons are
 * there (PNG files of the promised sizes); the Node major the CLI and tests run on is the one Electron's package types
 * its Node APIs with (README's fact); and no file outside src-main/electron/ imports Electron (the core, CLI and
 * server run on plain Node).
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
  mac?: { target?: string[], icon?: string }
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
    assert.deepEqual(config.mac?.target, ['dmg', 'zip'], 'dmg to install, zip for electron-updater (Squirrel.Mac)')
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

  it('every fuse electron-builder knows is set: its schema\'s FuseOptionsV1 and @electron/fuses\' wire', async () => {
    const config = await loadBuilderConfig()
    const scheme = JSON.parse(await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, { type: string }> } }
    }
    // resetAdHocDarwinSignature is an option of @electron/fuses' flipFuses (re-sign on macOS), not a fuse of the binary.
    const known = Object.keys(scheme.definitions.FuseOptionsV1.properties).filter(k => k !== 'resetAdHocDarwinSignature')
    assert.ok(known.length >= 8, `the schema lists the fuses: ${known.join(', ')}`)
    assert.deepEqual(Object.keys(config.electronFuses ?? {}).sort(), known.sort())

    // What electron-builder hands @electron/fuses for our config: every index of the wire it knows must be set.
    const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'))
    const { FuseV1Options } = builderRequire('@electron/fuses') as { FuseV1Options: Record<string, string | number> }
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig: (fuses: Record<string, boolean>) => Promise<Record<string, unknown>> } }
    }
    const flipped = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses ?? {})
    const wire = Object.entries(FuseV1Options).filter(([, index]) => typeof index === 'number')
    assert.ok(wire.length >= 8)
    for (const [name, index] of wire) assert.equal(typeof flipped[index], 'boolean', `fuse ${name} (wire index ${index}) is set`)
  })

  it('the Node major of the CLI and tests (engines, the `node` dev dependency) is the one Electron types its Node APIs with', async () => {
    const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { engines: { node: string }, devDependencies: Record<string, string> }
    const electron = JSON.parse(await readFile(require.resolve('electron/package.json'), 'utf8')) as { version: string, dependencies: Record<string, string> }
    const major = (range: string | undefined): string | undefined => /(\d+)\./.exec(range ?? '')?.[1]
    const electronNode = major(electron.dependencies['@types/node'])
    assert.equal(electronNode, '24', `Electron ${electron.version} types Node with @types/node ${electron.dependencies['@types/node']}`)
    assert.equal(pkg.engines.node, `>=${electronNode} <${Number(electronNode) + 1}`)
    assert.equal(major(pkg.devDependencies.node), electronNode)
    assert.equal(major(electron.version), '45', 'README and docs name Electron 45')
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
