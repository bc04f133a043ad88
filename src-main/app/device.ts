/**
 * What this device is called, and what kind of device it is, when the person has not said (docs/SETTINGS.md, "Device
 * name and icon"). Both are computed here, in the app, from facts about the machine; the core only carries them.
 *
 * - **Name**: `<user> on <host> (<platform>)`, e.g. `alice on vm (Linux)`, `bob on Bobs-MacBook-Air (macOS)`: the
 *   user name tells people on one machine apart, the host name machines of one person, and the platform is a hint
 *   a person recognises. Without a user name: `<host> (<platform>)`. Cut to fit the 64-character name limit (the host
 *   name is shortened first); a user name with control or invisible characters is left out, and a host name with
 *   them gives `Ferry`.
 * - **Kind**: `server` for the headless host (`ferry serve`) on a machine with no graphical session (Linux: neither
 *   `DISPLAY` nor `WAYLAND_DISPLAY` set); else `laptop` when the machine has a battery (Linux: an entry of
 *   `/sys/class/power_supply` whose `type` is `Battery`, the kernel's power-supply class ABI,
 *   Documentation/ABI/testing/sysfs-class-power); else `desktop`. Elsewhere than Linux no battery is looked for, so
 *   such a machine is a `desktop` until the person says otherwise in Settings.
 */
import { readdir, readFile } from 'node:fs/promises'
import { hostname, userInfo } from 'node:os'
import { join } from 'node:path'
import { ContactNameSchema, MAX_NAME_LENGTH } from '../core/contacts/index.ts'
import type { DeviceKind } from '../core/index.ts'

/** The Linux kernel's power-supply class: one folder per supply, each with a `type` file. */
export const POWER_SUPPLY_DIR = '/sys/class/power_supply'

/** The facts the defaults are computed from. */
export interface DeviceFacts {
  /** The OS user name, when known. */
  user?: string
  /** The machine's host name. */
  host: string
  platform: NodeJS.Platform
  /** The machine runs on a battery (has one). */
  battery: boolean
  /** A graphical session is there (a person sits at this machine). */
  graphical: boolean
  /** The app runs headless (`ferry serve`), not in the desktop shell. */
  headless: boolean
}

const PLATFORM_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'Linux', darwin: 'macOS', win32: 'Windows', freebsd: 'FreeBSD', openbsd: 'OpenBSD', android: 'Android'
}

/** The default display name of a device with these facts (see the module). */
export function defaultDeviceName (facts: Pick<DeviceFacts, 'user' | 'host' | 'platform'>): string {
  const platform = PLATFORM_NAMES[facts.platform] ?? facts.platform
  // macOS host names end in `.local`, Windows ones are upper case by convention; neither helps a person.
  const host = facts.host.trim().replace(/\.local$/iu, '')
  const user = facts.user?.trim() ?? ''
  const tail = host === '' ? `(${platform})` : ` (${platform})`
  const head = user === '' ? '' : host === '' ? `${user} ` : `${user} on `
  const room = MAX_NAME_LENGTH - head.length - tail.length
  const name = room > 0 ? `${head}${[...host].slice(0, room).join('')}${tail}` : [...user].slice(0, MAX_NAME_LENGTH).join('')
  const parsed = ContactNameSchema.safeParse(name)
  if (parsed.success) return parsed.data
  // A user or host name with control or invisible characters: without the user, else a plain word.
  return user === '' ? 'Ferry' : defaultDeviceName({ host: facts.host, platform: facts.platform })
}

/** The default kind of a device with these facts (see the module). */
export function defaultDeviceKind (facts: Pick<DeviceFacts, 'battery' | 'graphical' | 'headless'>): DeviceKind {
  if (facts.headless && !facts.graphical) return 'server'
  return facts.battery ? 'laptop' : 'desktop'
}

/** Whether a power supply of type `Battery` is listed under `dir` (Linux; anything unreadable counts as none). */
export async function hasBattery (dir = POWER_SUPPLY_DIR): Promise<boolean> {
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch {
    return false
  }
  for (const entry of entries) {
    const type = await readFile(join(dir, entry, 'type'), 'utf8').catch(() => '')
    if (type.trim() === 'Battery') return true
  }
  return false
}

/** The facts of this machine and process; `headless` is the host's (`AppHost.kind`). */
export async function readDeviceFacts (headless: boolean, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<DeviceFacts> {
  let user: string | undefined
  try {
    user = userInfo().username
  } catch {
    user = env.USER ?? env.USERNAME // no passwd entry for this uid (e.g. a container)
  }
  const graphical = platform !== 'linux' || (env.DISPLAY ?? '') !== '' || (env.WAYLAND_DISPLAY ?? '') !== ''
  const battery = platform === 'linux' ? await hasBattery() : false
  return { user, host: hostname(), platform, battery, graphical, headless }
}
