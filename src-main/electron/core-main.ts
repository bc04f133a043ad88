/**
 * What runs in the core's `utilityProcess`: the app service (`startApp` from src-main/app) served over the
 * {@link serveCore} protocol. Main sends only `{ dataDir }`; the network settings come from the environment exactly as
 * for the CLI (`FERRY_ICE_SERVERS`, `FERRY_MDNS`; relays: `FERRY_RELAYS`, else the stored setting, else the defaults).
 */
import { startApp } from '../app/index.ts'
import type { AppInit } from '../app/index.ts'
import { mdnsEnabled, readEnvironment, upnpEnabled } from '../app/environment.ts'
import { parseRelays, resolveNetwork } from '../core/index.ts'
import { ApiError } from '../api/index.ts'
import { serveCore } from './core-rpc.ts'
import type { HostCalls, Port } from './core-rpc.ts'

/** The init message main sends. */
export interface CoreInit {
  /** Absolute path of the data directory (`app.getPath('userData')`, or `FERRY_DATA_DIR`). */
  dataDir: string
  /** The system's locale as Electron sees it (`app.getLocale()`), for the `system` language (docs/I18N.md). */
  locale?: string
}

/**
 * The `startApp` options for `init`, with the host calls going back to main.
 *
 * @throws {ApiError} `invalid-request` when `init` has no absolute `dataDir`
 * @throws {ConfigError} on a malformed `FERRY_ICE_SERVERS`
 */
export function appInitFor (init: unknown, host: HostCalls, env: NodeJS.ProcessEnv): AppInit {
  const dataDir = (init as Partial<CoreInit> | null)?.dataDir
  const locale = (init as Partial<CoreInit> | null)?.locale
  if (typeof dataDir !== 'string' || dataDir === '') throw new ApiError('invalid-request', 'The core needs a data directory')
  const environment = readEnvironment(env)
  return {
    dataDir,
    iceServers: resolveNetwork({ iceServers: environment.iceServers }).iceServers,
    // FERRY_RELAYS wins for this run, as in the CLI; otherwise the app service uses the stored setting or the defaults.
    ...(environment.relays != null ? { relays: parseRelays(environment.relays) } : {}),
    mdns: mdnsEnabled(undefined, environment),
    upnp: upnpEnabled(undefined, environment),
    ...(typeof locale === 'string' && locale !== '' ? { locale } : {}),
    host: {
      kind: 'electron',
      showInFolder: host.showInFolder,
      ...(host.openPath == null ? {} : { openPath: host.openPath }),
      chooseDownloadDir: async signal => (await host.chooseDownloadDir(signal)) ?? undefined,
      // Main runs the update checks (updates.ts) and follows the setting through the `settings` event.
      checksForUpdates: true
    }
  }
}

/**
 * Serves the app service over `port` until main sends `stop`.
 *
 * @returns resolves when the core stopped
 */
export async function runCore (port: Port, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await serveCore(port, async (init, host) => await startApp(appInitFor(init, host, env)))
}
