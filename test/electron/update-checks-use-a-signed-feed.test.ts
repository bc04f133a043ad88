/**
 * Invariant: the desktop app's update checks ask only while the setting is on, take only a newer version, and keep
 * an update only when its bytes match the feed's SHA-512 (and, on Windows, the publisher check passes).
 *
 * Real here: electron-updater's `NsisUpdater` (fetching and parsing `latest.yml` with its `GenericProvider`, comparing
 * versions, downloading into its cache, verifying `sha512` with builder-util-runtime's `DigestTransform`, calling the
 * publisher check on the downloaded installer) against a feed served on 127.0.0.1, driven by Ferry's
 * `createUpdateChecker` (src-main/electron/updates.ts) exactly as main drives `autoUpdater`. Replaced (Electron cannot
 * run here): Electron's `app` (test/electron/fixtures/update-feed.ts) and `net.request` (by Node's `http.request`
 * inside electron-updater's own transport class), and — in the publisher test only — the PowerShell
 * `Get-AuthenticodeSignature` call, which exists only on Windows.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { after, afterEach, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { startApp } from '../../src-main/app/index.ts'
import { createUpdateChecker, followSetting, STAGING_ID_HEADER, UpdateFeedError, updateFeed } from '../../src-main/electron/updates.ts'
import type { UpdateChecker } from '../../src-main/electron/updates.ts'
import { tempDir } from '../helpers/files.ts'
import { latestYml, serveFeed, sha512, testUpdater } from './fixtures/update-feed.ts'
import type { Feed } from './fixtures/update-feed.ts'

const INSTALLER = 'Ferry-Setup-1.2.0.exe'

/** Every file under `dir` (recursively), relative paths. */
async function filesUnder (dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter(e => e.isFile()).map(e => path.relative(dir, path.join(e.parentPath, e.name)))
}

describe('update checks (electron-updater against a local feed)', () => {
  let feed: Feed
  let dir: string
  let checker: UpdateChecker | undefined
  const installer = randomBytes(256 * 1024)

  before(async () => { feed = await serveFeed() })
  after(async () => { await feed.close() })
  afterEach(async () => {
    checker?.stop()
    checker = undefined
    feed.files.clear()
    feed.requests.length = 0
    if (dir != null) await rm(dir, { recursive: true, force: true })
  })

  async function setUp (running: string, yml: string, appUpdateYml: Record<string, unknown> = {}) {
    dir = await tempDir('ferry-updates-')
    feed.files.set('latest.yml', { body: yml })
    feed.files.set(INSTALLER, { body: installer })
    const { updater, app } = await testUpdater(dir, running, appUpdateYml)
    const downloaded: string[] = []
    return { updater, app, downloaded, cache: path.join(dir, 'cache', 'ferry-updater') }
  }

  it('finds a newer version, downloads it and keeps it only after its SHA-512 matched; it installs on quit', async () => {
    const { updater, app, downloaded, cache } = await setUp('1.1.0', latestYml('1.2.0', INSTALLER, installer))
    checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: true, delayMs: 3_600_000, onDownloaded: v => downloaded.push(v) })
    assert.deepEqual(await checker.checkNow(), { state: 'downloaded', version: '1.2.0' })
    assert.deepEqual(downloaded, ['1.2.0'])
    assert.deepEqual(feed.requests.map(r => r.path), ['/updates/latest.yml', `/updates/${INSTALLER}`])
    const kept = (await filesUnder(cache)).filter(f => f.endsWith('.exe'))
    assert.equal(kept.length, 1, `one installer in the cache: ${kept.join(', ')}`)
    const bytes = await readFile(path.join(cache, kept[0]!))
    assert.equal(sha512(bytes), sha512(installer), 'the cached installer is the served one')
    assert.equal(app.quitHandlers.length, 1, 'electron-updater installs it when the app quits')
    assert.equal(updater.autoInstallOnAppQuit, true)
  })

  it('sends no per-installation identifier with its requests', async () => {
    const { updater } = await setUp('1.1.0', latestYml('1.2.0', INSTALLER, installer))
    checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: true, delayMs: 3_600_000 })
    await checker.checkNow()
    assert.equal(feed.requests.length, 2)
    for (const r of feed.requests) assert.equal(r.headers[STAGING_ID_HEADER], 'none', r.path)
  })

  for (const [running, latest] of [['1.2.0', '1.2.0'], ['1.3.0', '1.2.0']] as const) {
    it(`running ${running}, the feed's ${latest} is not taken: nothing is downloaded`, async () => {
      const { updater, downloaded, cache } = await setUp(running, latestYml(latest, INSTALLER, installer))
      checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: true, delayMs: 3_600_000, onDownloaded: v => downloaded.push(v) })
      assert.deepEqual(await checker.checkNow(), { state: 'up-to-date', latest })
      assert.deepEqual(feed.requests.map(r => r.path), ['/updates/latest.yml'])
      assert.deepEqual(downloaded, [])
      assert.deepEqual((await filesUnder(cache)).filter(f => f.endsWith('.exe')), [])
    })
  }

  it('refuses an installer whose SHA-512 does not match latest.yml, and keeps nothing of it', async () => {
    const other = randomBytes(installer.length)
    const { updater, app, downloaded, cache } = await setUp('1.1.0', latestYml('1.2.0', INSTALLER, installer, sha512(other)))
    checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: true, delayMs: 3_600_000, onDownloaded: v => downloaded.push(v) })
    const outcome = await checker.checkNow()
    assert.equal(outcome.state, 'failed')
    assert.equal(outcome.state === 'failed' && outcome.code, 'ERR_CHECKSUM_MISMATCH')
    assert.ok(feed.requests.some(r => r.path === `/updates/${INSTALLER}`), 'the installer was downloaded and then refused')
    assert.deepEqual(downloaded, [])
    assert.deepEqual((await filesUnder(cache)).filter(f => f.endsWith('.exe')), [], 'no installer left in the cache')
    assert.equal(app.quitHandlers.length, 0, 'nothing to install on quit')
  })

  it('Windows: an installer the publisher check rejects is refused (feed from the built-in app-update.yml)', async () => {
    const seen: Array<{ names: string[], sha: string }> = []
    const { updater, app, downloaded } = await setUp('1.1.0', latestYml('1.2.0', INSTALLER, installer), { provider: 'generic', url: feed.url, publisherName: ['Ferry contributors'] })
    updater.verifyUpdateCodeSignature = async (names, file) => {
      seen.push({ names, sha: sha512(await readFile(file)) })
      return 'the installer is signed by CN=Somebody Else'
    }
    checker = createUpdateChecker({ updater, feed: { url: null }, enabled: true, delayMs: 3_600_000, onDownloaded: v => downloaded.push(v) })
    const outcome = await checker.checkNow()
    assert.equal(outcome.state === 'failed' && outcome.code, 'ERR_UPDATER_INVALID_SIGNATURE')
    assert.deepEqual(seen, [{ names: ['Ferry contributors'], sha: sha512(installer) }], 'the check ran on the verified download, with app-update.yml\'s publisherName')
    assert.deepEqual(downloaded, [])
    assert.equal(app.quitHandlers.length, 0)
  })

  it('Windows: a web installer (installer + separately downloaded package) is refused', async () => {
    const yml = latestYml('1.2.0', INSTALLER, installer) +
      `packages:\n  ${process.arch}:\n    path: ferry-1.2.0-${process.arch}.nsis.7z\n    sha512: ${sha512(installer)}\n    size: ${installer.length}\n`
    const { updater, downloaded } = await setUp('1.1.0', yml)
    checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: true, delayMs: 3_600_000, onDownloaded: v => downloaded.push(v) })
    const outcome = await checker.checkNow()
    assert.equal(outcome.state === 'failed' && outcome.code, 'ERR_UPDATER_WEB_INSTALLER_DISABLED')
    assert.deepEqual(downloaded, [])
  })

  it('with the setting off nothing is fetched — not by the timer, not on demand; turning it on checks', async () => {
    const { updater } = await setUp('1.1.0', latestYml('1.2.0', INSTALLER, installer))
    checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: false, delayMs: 20, intervalMs: 20 })
    assert.deepEqual(await checker.checkNow(), { state: 'off' })
    await delay(300)
    assert.equal(feed.requests.length, 0, 'no request while off')
    assert.equal(updater.autoInstallOnAppQuit, false)

    checker.setEnabled(true)
    for (let i = 0; i < 100 && feed.requests.length === 0; i++) await delay(20)
    assert.equal(feed.requests[0]?.path, '/updates/latest.yml', 'the timer checks once the setting is on')
    checker.setEnabled(false)
    await delay(100)
    const count = feed.requests.length
    await delay(300)
    assert.equal(feed.requests.length, count, 'no request after turning it off again')
  })

  it('turning the setting off during a download cancels it: nothing is kept or installed', async () => {
    const { updater, app, downloaded, cache } = await setUp('1.1.0', latestYml('1.2.0', INSTALLER, installer))
    feed.files.set(INSTALLER, { body: installer, stall: true })
    checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: true, delayMs: 3_600_000, onDownloaded: v => downloaded.push(v) })
    const outcome = checker.checkNow()
    // Under way: the first half of the installer is being written to electron-updater's temp file. (Turned off the
    // moment the request reaches the feed instead, electron-updater can open that file after its own clean-up on
    // cancel emptied the folder, and the temp file stays in its cache: seen once in CI. Not Ferry's code.)
    const writing = async (): Promise<boolean> => {
      for (const f of await filesUnder(cache)) if (f.startsWith('pending/temp-') && ((await stat(path.join(cache, f)).catch(() => undefined))?.size ?? 0) > 0) return true
      return false
    }
    for (let i = 0; i < 250 && !await writing(); i++) await delay(20)
    assert.ok(await writing(), 'the download started writing')
    checker.setEnabled(false)
    assert.deepEqual(await outcome, { state: 'off' })
    assert.deepEqual(downloaded, [])
    assert.deepEqual((await filesUnder(cache)).filter(f => f.endsWith('.exe')), [])
    assert.equal(app.quitHandlers.length, 0)
    assert.equal(updater.autoInstallOnAppQuit, false)
  })
})

describe('the "Check for updates" setting, through the real app service', () => {
  it('is on by default in the desktop app; turning it off in Settings stops the requests, and stays off after a restart', async () => {
    const feed = await serveFeed()
    const dir = await tempDir('ferry-updates-app-')
    const signal = AbortSignal.timeout(120_000)
    const start = async () => await startApp({ dataDir: path.join(dir, 'data'), relays: [], iceServers: [], mdns: false, host: { kind: 'electron', checksForUpdates: true } })
    let app = await start()
    let checker: UpdateChecker | undefined
    try {
      const installer = randomBytes(1024)
      feed.files.set('latest.yml', { body: latestYml('1.0.0', INSTALLER, installer) })
      const { updater } = await testUpdater(dir, '1.0.0')
      const snapshot = await app.handlers.getSnapshot({}, signal)
      assert.equal(snapshot.capabilities.checkForUpdates, true)
      assert.equal(snapshot.settings.checkForUpdates, true)
      checker = createUpdateChecker({ updater, feed: { url: feed.url }, enabled: snapshot.settings.checkForUpdates, delayMs: 20, intervalMs: 20 })
      followSetting(checker, app)
      for (let i = 0; i < 100 && feed.requests.length === 0; i++) await delay(20)
      assert.ok(feed.requests.length > 0, 'on by default: the timer checks')

      await app.handlers.updateSettings({ checkForUpdates: false }, signal)
      await delay(100)
      const count = feed.requests.length
      await delay(300)
      assert.equal(feed.requests.length, count, 'no request once the setting is off')
      assert.deepEqual(await checker.checkNow(), { state: 'off' })
      checker.stop()

      await app.stop()
      app = await start()
      assert.equal((await app.handlers.getSnapshot({}, signal)).settings.checkForUpdates, false, 'stored')
    } finally {
      checker?.stop()
      await app.stop()
      await feed.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('ferry serve (headless) has no update checks: the capability says so', async () => {
    const dir = await tempDir('ferry-updates-headless-')
    const app = await startApp({ dataDir: path.join(dir, 'data'), relays: [], iceServers: [], mdns: false, host: { kind: 'headless' } })
    try {
      assert.equal((await app.handlers.getSnapshot({}, AbortSignal.timeout(60_000))).capabilities.checkForUpdates, false)
    } finally {
      await app.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('update feed', () => {
  const packaged = { isPackaged: true, hasBuiltInFeed: true }

  it('an unpackaged run (npm start) checks nothing, even with FERRY_UPDATE_URL', () => {
    assert.equal(updateFeed({ updateUrl: 'https://updates.example.org/ferry/' }, { isPackaged: false, hasBuiltInFeed: true }), null)
  })

  it('FERRY_UPDATE_URL replaces the built-in feed\'s URL; a build without app-update.yml checks nothing', () => {
    assert.deepEqual(updateFeed({ updateUrl: 'https://updates.example.org/ferry/' }, packaged), { url: 'https://updates.example.org/ferry/' })
    assert.deepEqual(updateFeed({}, packaged), { url: null })
    assert.deepEqual(updateFeed({ updateUrl: ' ' }, packaged), { url: null })
    assert.equal(updateFeed({ updateUrl: 'https://updates.example.org/ferry/' }, { isPackaged: true, hasBuiltInFeed: false }), null)
    assert.equal(updateFeed({}, { isPackaged: true, hasBuiltInFeed: false }), null)
  })

  it('FERRY_UPDATE_URL must be https (http only on loopback)', () => {
    assert.deepEqual(updateFeed({ updateUrl: 'http://127.0.0.1:8080/u/' }, packaged), { url: 'http://127.0.0.1:8080/u/' })
    for (const bad of ['http://updates.example.org/ferry/', 'ftp://example.org/', 'not a url', 'file:///tmp/feed/']) {
      assert.throws(() => updateFeed({ updateUrl: bad }, packaged), (err: unknown) => err instanceof UpdateFeedError && err.code === 'invalid-update-feed', bad)
    }
  })
})
