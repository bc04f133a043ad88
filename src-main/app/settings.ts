/**
 * The person's settings (display name, kind of device, download folder, relays, contacts-only, check for updates,
 * upload limit) and
 * where each value comes from (docs/SETTINGS.md).
 *
 * Precedence, per setting: a value the host passed explicitly to `startApp` (e.g. `ferry serve --relay …`, or
 * `FERRY_RELAYS` for relays, which the hosts read and pass) wins for that run; otherwise the value stored in SQLite
 * (`store.settings`, written by `updateSettings` / `chooseDownloadDir`) wins; otherwise the default (display name and
 * kind of device: computed from this machine, ./device.ts; download folder: `~/Downloads`; relays: `config.DEFAULT_RELAYS`; contacts-only: off; relay for contacts: on; check for
 * updates: on — only the desktop app acts on it, see src-main/electron/updates.ts; port mapping (`upnp`): on — where
 * the host allows it, `AppInit.upnp`; language: `system`, docs/I18N.md; upload limit: 0, none). A change made
 * in the running app applies at once (relays: see the app) and is stored, so it is what the next run uses unless the
 * host again passes an explicit value.
 */
import { mkdir } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { ContactNameSchema } from '../core/contacts/index.ts'
import { DATABASE_FILE, DEFAULT_RELAYS, isDeviceKind, parseRelays } from '../core/index.ts'
import { openStore } from '../core/store/index.ts'
import type { SettingsRepository } from '../core/store/index.ts'
import { MAX_UPLOAD_LIMIT_MIBPS } from '../api/index.ts'
import type { SettingsView } from '../api/index.ts'
import { isLanguageChoice } from '../text/index.ts'
import { defaultDeviceKind, defaultDeviceName } from './device.ts'
import type { DeviceFacts } from './device.ts'

/** Keys of the settings in `store.settings`. */
export const SETTING_KEYS = {
  displayName: 'displayName', deviceKind: 'deviceKind', downloadDir: 'downloadDir', relays: 'relays', contactsOnly: 'contactsOnly', checkForUpdates: 'checkForUpdates', upnp: 'upnp',
  language: 'language', relayForContacts: 'relayForContacts', uploadLimit: 'uploadLimit'
} as const

/** Bytes per second of the `uploadLimit` setting (MiB/s; 0 is none): undefined for none. */
export function uploadBytesPerSecond (mibPerSecond: number): number | undefined {
  return mibPerSecond > 0 ? mibPerSecond * 1024 * 1024 : undefined
}

/** Values the host gave explicitly (each wins over the stored one). */
export interface ExplicitSettings {
  displayName?: string
  downloadDir?: string
  relays?: string[]
}

/** The settings stored in SQLite, each validated (a value from an older version or a hand edit may be wrong). */
export function storedSettings (repo: SettingsRepository): Partial<SettingsView> {
  const out: Partial<SettingsView> = {}
  const name = ContactNameSchema.safeParse(repo.get(SETTING_KEYS.displayName))
  if (name.success) out.displayName = name.data
  const kind = repo.get(SETTING_KEYS.deviceKind)
  if (isDeviceKind(kind)) out.deviceKind = kind
  const dir = repo.get(SETTING_KEYS.downloadDir)
  if (typeof dir === 'string' && isAbsolute(dir)) out.downloadDir = dir
  const relays = repo.get(SETTING_KEYS.relays)
  if (Array.isArray(relays) && relays.every(r => typeof r === 'string')) {
    try { out.relays = parseRelays(relays as string[]) } catch { /* ignored: falls back to the default */ }
  }
  const contactsOnly = repo.get(SETTING_KEYS.contactsOnly)
  if (typeof contactsOnly === 'boolean') out.contactsOnly = contactsOnly
  const relayForContacts = repo.get(SETTING_KEYS.relayForContacts)
  if (typeof relayForContacts === 'boolean') out.relayForContacts = relayForContacts
  const checkForUpdates = repo.get(SETTING_KEYS.checkForUpdates)
  if (typeof checkForUpdates === 'boolean') out.checkForUpdates = checkForUpdates
  const upnp = repo.get(SETTING_KEYS.upnp)
  if (typeof upnp === 'boolean') out.upnp = upnp
  const language = repo.get(SETTING_KEYS.language)
  if (isLanguageChoice(language)) out.language = language
  const uploadLimit = repo.get(SETTING_KEYS.uploadLimit)
  if (typeof uploadLimit === 'number' && uploadLimit >= 0 && uploadLimit <= MAX_UPLOAD_LIMIT_MIBPS) out.uploadLimit = uploadLimit
  return out
}

/**
 * The effective settings at start: explicit, else stored in `<dataDir>/ferry.db`, else defaults (see the module; the
 * display name and kind of device from `device`, this machine's facts: `readDeviceFacts`). Reads the store once (opened and closed here, before the peer opens it) and creates the data directory (0700).
 *
 * @throws {ConfigError} on a malformed explicit relay
 * @throws the store's errors (`StoreVersionError` for a database from a newer Ferry)
 */
export async function resolveSettings (dataDir: string, explicit: ExplicitSettings, device: DeviceFacts): Promise<SettingsView> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const store = openStore(join(dataDir, DATABASE_FILE))
  let stored: Partial<SettingsView>
  try {
    stored = storedSettings(store.settings)
  } finally {
    store.close()
  }
  const relays = explicit.relays != null ? parseRelays(explicit.relays) : undefined
  return {
    displayName: explicit.displayName ?? stored.displayName ?? defaultDeviceName(device),
    displayNameIsDefault: explicit.displayName == null && stored.displayName == null,
    deviceKind: stored.deviceKind ?? defaultDeviceKind(device),
    downloadDir: explicit.downloadDir ?? stored.downloadDir ?? join(homedir(), 'Downloads'),
    relays: relays ?? stored.relays ?? [...DEFAULT_RELAYS],
    contactsOnly: stored.contactsOnly ?? false,
    relayForContacts: stored.relayForContacts ?? true,
    checkForUpdates: stored.checkForUpdates ?? true,
    upnp: stored.upnp ?? true,
    language: stored.language ?? 'system',
    uploadLimit: stored.uploadLimit ?? 0
  }
}

/** Stores the given settings (only those present) in SQLite. */
export function persistSettings (repo: SettingsRepository, patch: Partial<SettingsView>): void {
  for (const key of Object.keys(SETTING_KEYS) as Array<keyof typeof SETTING_KEYS>) {
    const value = patch[key]
    if (value !== undefined) repo.set(SETTING_KEYS[key], value)
  }
}
