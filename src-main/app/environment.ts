/**
 * Every `FERRY_*` environment variable Ferry reads, in one place. Hosts (the CLI, the Electron shell and its core
 * process, `ferry serve`) call {@link readEnvironment} once and pass the values on; the core reads no environment.
 * No imports beyond Node's, so the Electron main bundle can use it.
 *
 * | variable | what |
 * |---|---|
 * | `FERRY_DATA_DIR` | the data directory (identity key, database), instead of the platform's app-data folder |
 * | `FERRY_RELAYS` | relay multiaddrs, comma-separated, or `none`; an explicit option or flag wins |
 * | `FERRY_ICE_SERVERS` | STUN/TURN URLs, comma-separated, or `none`; an explicit flag wins |
 * | `FERRY_MDNS` | `off` (`0`, `false`, `no`) turns LAN discovery off — the tests set it |
 * | `FERRY_UPNP` | `off` (`0`, `false`, `no`) turns router port mapping (UPnP-IGD) off — the tests set it |
 * | `FERRY_UPDATE_URL` | desktop app: the update feed's URL instead of the built-in one (docs/UPDATES.md) |
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

/** The `FERRY_*` environment as Ferry understands it; an unset or empty variable is absent. */
export interface FerryEnvironment {
  dataDir?: string
  /** Raw relay list (parsed by the core's `resolveNetwork`/`parseRelays`). */
  relays?: string
  /** Raw ICE server list (parsed by the core's `resolveNetwork`/`parseIceServers`). */
  iceServers?: string
  /** `false` when `FERRY_MDNS` turns LAN discovery off. */
  mdns?: false
  /** `false` when `FERRY_UPNP` turns router port mapping off. */
  upnp?: false
  /** Raw update feed URL (checked by the Electron shell's `updateFeed`). */
  updateUrl?: string
}

/** The names of the variables, for messages ("turned off by FERRY_MDNS"). */
export const ENV_NAMES = {
  dataDir: 'FERRY_DATA_DIR', relays: 'FERRY_RELAYS', iceServers: 'FERRY_ICE_SERVERS', mdns: 'FERRY_MDNS', upnp: 'FERRY_UPNP', updateUrl: 'FERRY_UPDATE_URL'
} as const

/** Reads the `FERRY_*` variables of `env` (default: this process's). */
export function readEnvironment (env: NodeJS.ProcessEnv = process.env): FerryEnvironment {
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim()
    return v == null || v === '' ? undefined : v
  }
  const mdns = value(ENV_NAMES.mdns)?.toLowerCase()
  const upnp = value(ENV_NAMES.upnp)?.toLowerCase()
  const off = (v: string | undefined): boolean => v === 'off' || v === '0' || v === 'false' || v === 'no'
  return {
    dataDir: value(ENV_NAMES.dataDir),
    relays: value(ENV_NAMES.relays),
    iceServers: value(ENV_NAMES.iceServers),
    updateUrl: value(ENV_NAMES.updateUrl),
    ...(off(mdns) ? { mdns: false } : {}),
    ...(off(upnp) ? { upnp: false } : {})
  }
}

/**
 * The system's locale for choosing a language (docs/I18N.md): `LC_ALL`, else `LC_MESSAGES`, else `LANG` (POSIX, e.g.
 * `zh_CN.UTF-8`; `C` and `POSIX` say nothing), else the locale Node's ICU resolved (`Intl.DateTimeFormat`). Read by
 * hosts and the app's start, never by the core; `text.resolveLanguage` turns it into a language.
 */
export function systemLocale (env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[name]?.trim()
    if (v != null && v !== '' && v !== 'C' && v !== 'POSIX' && !v.startsWith('C.')) return v
  }
  return Intl.DateTimeFormat().resolvedOptions().locale
}

/** Whether LAN discovery (mDNS) is on: off by `flag` (the CLI's `--no-mdns`) or by `FERRY_MDNS`; on by default. */
export function mdnsEnabled (flag: boolean | undefined, environment: FerryEnvironment): boolean {
  return flag !== false && environment.mdns !== false
}

/**
 * Whether this host may map a router port (UPnP-IGD): not with `flag` false (the CLI's `--no-upnp`) or `FERRY_UPNP=off`;
 * otherwise yes (the app's `upnp` setting then decides).
 */
export function upnpEnabled (flag: boolean | undefined, environment: FerryEnvironment): boolean {
  return flag !== false && environment.upnp !== false
}

/**
 * The data directory: `FERRY_DATA_DIR`, else the platform's app-data folder for Ferry — the one Electron's
 * `app.getPath('userData')` gives for an app named "Ferry" (`~/.config/Ferry`, `~/Library/Application Support/Ferry`,
 * `%APPDATA%\Ferry`). Not created here.
 */
export function dataDirFrom (environment: FerryEnvironment, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (environment.dataDir != null) return environment.dataDir
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Ferry')
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Ferry')
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Ferry')
}
