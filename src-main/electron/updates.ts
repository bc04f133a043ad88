/**
 * Update checks of the desktop app, on electron-updater (`autoUpdater` in main). This module decides *when* and
 * *whether* to ask; electron-updater does the asking, the downloading and the verifying (docs/UPDATES.md states what
 * is verified on each platform and where that comes from).
 *
 * - **Feed** ({@link updateFeed}): a generic electron-updater feed — a folder served over HTTPS holding `latest.yml`
 *   (Windows), `latest-mac.yml` or `latest-linux.yml`, which electron-builder writes next to the installers, and the
 *   installers themselves. It is the `publish` entry of electron-builder.yml, which electron-builder writes into the
 *   packaged app as `resources/app-update.yml` (electron-updater also takes its cache folder name from that file, so
 *   a build without it cannot update); `FERRY_UPDATE_URL` replaces its URL. A build without `app-update.yml`, and
 *   every unpackaged run (`npm start`), checks nothing.
 * - **When** ({@link createUpdateChecker}): {@link UPDATE_CHECK_DELAY_MS} after start, then every
 *   {@link UPDATE_CHECK_INTERVAL_MS} — only while the person's "Check for updates" setting is on. Off means no request
 *   at all; turning it off cancels a running download and an update already downloaded is not installed.
 * - **What is sent**: GET requests for `latest*.yml` and the installer, with no identifier of the installation
 *   ({@link STAGING_ID_HEADER} is `none`).
 * - **What happens**: a newer version (semver greater than the running one; never a downgrade) is downloaded into
 *   electron-updater's cache, its SHA-512 checked against the feed's `sha512`, and installed when the person quits
 *   Ferry; `onDownloaded` tells them. An equal or older version downloads nothing.
 *
 * Failures (feed unreachable, malformed `latest*.yml`, checksum or signature mismatch) are reported as an outcome
 * with electron-updater's error code and logged (`ferry:updates`); they never stop the app.
 */
import { ENV_NAMES } from '../app/environment.ts'
import type { FerryEnvironment } from '../app/environment.ts'
import { logger } from '../core/log/index.ts'
import type { OutgoingHttpHeaders } from 'node:http'
import type { SettingsView } from '../api/index.ts'
import type { UpdateCheckResult } from 'electron-updater'

const log = logger('updates')

/** First check after start, ms: late enough not to compete with starting the core and the window. */
export const UPDATE_CHECK_DELAY_MS = 60_000
/** Between checks, ms (6 h): a running app learns of a release within a working day. */
export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000
/**
 * The header electron-updater fills with a random per-installation ID (`<userData>/.updaterId`, for staged rollouts).
 * Ferry sends `none` instead, so a feed cannot tell installations apart; staged rollouts are decided locally anyway.
 */
export const STAGING_ID_HEADER = 'x-user-staging-id'

/** What this module needs of electron-updater's `AppUpdater` (its `autoUpdater`, or a test's own instance). */
export interface UpdaterLike {
  autoDownload: boolean
  autoInstallOnAppQuit: boolean
  allowDowngrade: boolean
  /** NSIS: refuse a "web installer" package (its separately downloaded payload is not signature-checked). */
  disableWebInstaller: boolean
  /** `null` silences electron-updater's own log (it would name local paths); this module logs instead. */
  logger: unknown
  /** Added to every request; replaces the per-installation `x-user-staging-id` electron-updater would send. */
  requestHeaders: OutgoingHttpHeaders | null
  setFeedURL: (options: { provider: 'generic', url: string }) => void
  /** Fetches `latest*.yml`; resolves null when electron-updater is inactive (e.g. not a packaged app). */
  checkForUpdates: () => Promise<UpdateCheckResult | null>
  /** Downloads and verifies the update found by the last check; resolves with the paths of the files. */
  downloadUpdate: (cancellationToken?: NonNullable<UpdateCheckResult['cancellationToken']>) => Promise<string[]>
}

/** Where the feed is: `url` from `FERRY_UPDATE_URL`, `null` for the URL in the `app-update.yml` electron-builder built in. */
export interface UpdateFeed {
  url: string | null
}

/** The result of one check. `code` is electron-updater's (e.g. `ERR_CHECKSUM_MISMATCH`, `ERR_UPDATER_INVALID_SIGNATURE`). */
export type UpdateOutcome =
  | { state: 'off' }
  | { state: 'inactive' }
  | { state: 'up-to-date', latest: string }
  | { state: 'downloaded', version: string }
  | { state: 'failed', code: string, message: string }

/** A malformed `FERRY_UPDATE_URL`. */
export class UpdateFeedError extends Error {
  static override name = 'UpdateFeedError'
  readonly code = 'invalid-update-feed'
  constructor (message: string) {
    super(message)
    this.name = UpdateFeedError.name
  }
}

/**
 * The feed this run uses, or null when it checks nothing: not packaged (`npm start`), or packaged without
 * `app-update.yml` (electron-builder.yml had no `publish` entry).
 *
 * @param environment `updateUrl` (`FERRY_UPDATE_URL`, from `readEnvironment`): an `https:` URL (or `http:` on a
 *   loopback address, for a local test feed)
 * @param app `isPackaged` (Electron's `app.isPackaged`); `hasBuiltInFeed`: `resources/app-update.yml` exists
 * @throws {UpdateFeedError} when `FERRY_UPDATE_URL` is set but not such a URL
 */
export function updateFeed (environment: Pick<FerryEnvironment, 'updateUrl'>, app: { isPackaged: boolean, hasBuiltInFeed: boolean }): UpdateFeed | null {
  const raw = environment.updateUrl?.trim()
  let url: string | null = null
  if (raw != null && raw !== '') {
    let parsed: URL
    try {
      parsed = new URL(raw)
    } catch {
      throw new UpdateFeedError(`${ENV_NAMES.updateUrl} is not a URL: ${raw.slice(0, 200)}`)
    }
    const loopback = parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]'
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      throw new UpdateFeedError(`${ENV_NAMES.updateUrl} must be an https: URL (http: only on a loopback address)`)
    }
    url = parsed.href
  }
  if (!app.isPackaged || !app.hasBuiltInFeed) return null
  return { url }
}

/** Options of {@link createUpdateChecker}. */
export interface UpdateCheckerInit {
  updater: UpdaterLike
  feed: UpdateFeed
  /** The person's "Check for updates" setting at start. */
  enabled: boolean
  /** Called once per version downloaded and verified (it installs when Ferry quits). */
  onDownloaded?: (version: string) => void
  /** First check after start / after turning the setting on, ms (default {@link UPDATE_CHECK_DELAY_MS}). */
  delayMs?: number
  /** Between checks, ms (default {@link UPDATE_CHECK_INTERVAL_MS}). */
  intervalMs?: number
}

/** A running update checker. */
export interface UpdateChecker {
  /** Applies the setting: on schedules a check after `delayMs`; off cancels timers and a running download. */
  setEnabled: (on: boolean) => void
  /** Checks now (one check at a time: a second call joins the running one). Never rejects. */
  checkNow: () => Promise<UpdateOutcome>
  /** Stops the timers and cancels a running download (the app quits). */
  stop: () => void
}

/** The part of the core's events {@link followSetting} needs (the core client in main, or an app service). */
export interface SettingsEvents {
  on: (event: 'settings', listener: (settings: SettingsView) => void) => () => void
}

/**
 * Keeps `checker` on the person's "Check for updates" setting: every `settings` event (sent by the app service after
 * `updateSettings`) applies its `checkForUpdates`.
 *
 * @returns a function that stops following
 */
export function followSetting (checker: Pick<UpdateChecker, 'setEnabled'>, events: SettingsEvents): () => void {
  return events.on('settings', settings => { checker.setEnabled(settings.checkForUpdates) })
}

function errorCode (err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : 'ERR_UPDATER_UNKNOWN'
}

/**
 * Wires `updater` for Ferry: no automatic download (this module downloads after its own checks), no downgrade, no
 * NSIS web installer, install on quit only while the setting is on, electron-updater's log off, no installation ID
 * sent; the feed from {@link updateFeed}.
 */
export function createUpdateChecker (init: UpdateCheckerInit): UpdateChecker {
  const { updater, feed, onDownloaded } = init
  const delayMs = init.delayMs ?? UPDATE_CHECK_DELAY_MS
  const intervalMs = init.intervalMs ?? UPDATE_CHECK_INTERVAL_MS
  updater.logger = null
  updater.requestHeaders = { ...updater.requestHeaders, [STAGING_ID_HEADER]: 'none' }
  updater.autoDownload = false
  updater.allowDowngrade = false
  updater.disableWebInstaller = true
  if (feed.url != null) updater.setFeedURL({ provider: 'generic', url: feed.url })

  let enabled = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<UpdateOutcome> | undefined
  let download: { cancel: () => void } | undefined
  const announced = new Set<string>()

  function schedule (ms: number): void {
    clearTimeout(timer)
    if (!enabled || stopped) return
    timer = setTimeout(() => {
      void checkNow().finally(() => { schedule(intervalMs) })
    }, ms)
    timer.unref()
  }

  async function check (): Promise<UpdateOutcome> {
    try {
      log('checking for updates')
      const result = await updater.checkForUpdates()
      if (result == null) return { state: 'inactive' }
      const version = result.updateInfo.version
      const token = result.cancellationToken
      if (!result.isUpdateAvailable || token == null) {
        log('up to date (latest %s)', version)
        return { state: 'up-to-date', latest: version }
      }
      if (!enabled || stopped) return { state: 'off' }
      log('version %s found, downloading', version)
      download = token
      await updater.downloadUpdate(token)
      log('version %s downloaded and verified; it installs when Ferry quits', version)
      if (!announced.has(version)) {
        announced.add(version)
        onDownloaded?.(version)
      }
      return { state: 'downloaded', version }
    } catch (err) {
      if (!enabled || stopped) return { state: 'off' }
      const code = errorCode(err)
      log.error('update check failed: %s', code)
      return { state: 'failed', code, message: err instanceof Error ? err.message : String(err) }
    } finally {
      download = undefined
    }
  }

  async function checkNow (): Promise<UpdateOutcome> {
    if (!enabled || stopped) return { state: 'off' }
    running ??= check().finally(() => { running = undefined })
    return await running
  }

  function setEnabled (on: boolean): void {
    if (on === enabled) return
    enabled = on
    updater.autoInstallOnAppQuit = on
    if (on) {
      schedule(delayMs)
    } else {
      clearTimeout(timer)
      download?.cancel()
    }
  }

  updater.autoInstallOnAppQuit = false
  setEnabled(init.enabled)
  return {
    setEnabled,
    checkNow,
    stop: () => {
      stopped = true
      clearTimeout(timer)
      download?.cancel()
    }
  }
}
