/**
 * Invariant: the default name and kind of device tell machines apart and follow the rules of src-main/app/device.ts
 * (docs/SETTINGS.md): the name is `<user> on <host> (<platform>)`, always a valid name (at most 64 characters, no
 * control characters); the kind is `server` for the headless host on a machine with no graphical session, `laptop`
 * with a battery, else `desktop`; a battery is read from a real folder laid out like Linux's
 * `/sys/class/power_supply`. The kind travels in offers: an offer with an unknown kind decodes with none.
 */
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { defaultDeviceKind, defaultDeviceName, hasBattery } from '../../src-main/app/device.ts'
import { ContactNameSchema } from '../../src-main/core/contacts/index.ts'
import { ControlMessage } from '../../src-main/core/protocol/index.ts'
import { tempDir } from '../helpers/files.ts'

describe('default device name and kind', () => {
  it('names a device after its user, host and platform, and two machines get two names', () => {
    assert.equal(defaultDeviceName({ user: 'alice', host: 'vm', platform: 'linux' }), 'alice on vm (Linux)')
    assert.equal(defaultDeviceName({ user: 'bob', host: 'Bobs-MacBook-Air.local', platform: 'darwin' }), 'bob on Bobs-MacBook-Air (macOS)')
    assert.equal(defaultDeviceName({ user: 'carol', host: 'DESKTOP-1', platform: 'win32' }), 'carol on DESKTOP-1 (Windows)')
    assert.equal(defaultDeviceName({ host: 'vm', platform: 'linux' }), 'vm (Linux)', 'no user name: host and platform')
    assert.notEqual(defaultDeviceName({ user: 'root', host: 'alpha', platform: 'linux' }), defaultDeviceName({ user: 'root', host: 'beta', platform: 'linux' }))
    assert.notEqual(defaultDeviceName({ user: 'alice', host: 'vm', platform: 'linux' }), defaultDeviceName({ user: 'bob', host: 'vm', platform: 'linux' }))
  })

  it('is always a valid name: long host names are cut to 64 characters, names with control characters are left out', () => {
    const long = defaultDeviceName({ user: 'alice', host: 'h'.repeat(300), platform: 'linux' })
    assert.ok(long.length <= 64, `${long.length} characters`)
    assert.match(long, /^alice on h+ \(Linux\)$/)
    assert.ok(ContactNameSchema.safeParse(long).success)
    assert.equal(defaultDeviceName({ user: 'eve\u202e', host: 'vm', platform: 'linux' }), 'vm (Linux)')
    assert.equal(defaultDeviceName({ user: 'eve', host: 'v\u0007m', platform: 'linux' }), 'Ferry')
    assert.equal(defaultDeviceName({ user: 'u'.repeat(100), host: 'vm', platform: 'linux' }).length, 64)
  })

  it('is a server when headless with no display, a laptop with a battery, else a desktop', () => {
    assert.equal(defaultDeviceKind({ headless: true, graphical: false, battery: false }), 'server')
    assert.equal(defaultDeviceKind({ headless: true, graphical: false, battery: true }), 'server')
    assert.equal(defaultDeviceKind({ headless: true, graphical: true, battery: true }), 'laptop')
    assert.equal(defaultDeviceKind({ headless: false, graphical: true, battery: true }), 'laptop')
    assert.equal(defaultDeviceKind({ headless: false, graphical: true, battery: false }), 'desktop')
    assert.equal(defaultDeviceKind({ headless: false, graphical: false, battery: false }), 'desktop', 'the desktop app is never a server')
  })

  it('finds a battery among the power supplies (and none in mains-only or missing folders)', async () => {
    const root = await tempDir('ferry-power-')
    const supply = async (dir: string, name: string, type: string): Promise<void> => {
      await mkdir(join(dir, name), { recursive: true })
      await writeFile(join(dir, name, 'type'), `${type}\n`)
    }
    const mains = join(root, 'mains')
    await supply(mains, 'AC', 'Mains')
    await supply(mains, 'hid-mouse-battery', 'USB')
    assert.equal(await hasBattery(mains), false)
    const laptop = join(root, 'laptop')
    await supply(laptop, 'AC', 'Mains')
    await supply(laptop, 'BAT0', 'Battery')
    assert.equal(await hasBattery(laptop), true)
    assert.equal(await hasBattery(join(root, 'missing')), false)
  })

  it('an offer carries the sender\'s kind of device; an unknown kind reads as none, the offer is not refused', () => {
    const offer = { type: 'offer', version: 1, transferId: '0f8fad5b-d9cb-469f-a165-70867728950e', senderName: 'A', totalBytes: 1, files: [{ path: 'a', size: 1 }] }
    const known = ControlMessage.parse({ ...offer, senderDevice: 'laptop' })
    assert.equal(known.type === 'offer' ? known.senderDevice : 'not an offer', 'laptop')
    for (const senderDevice of ['phone', 42, null, { a: 1 }, 'x'.repeat(10_000)]) {
      const parsed = ControlMessage.parse({ ...offer, senderDevice })
      assert.equal(parsed.type, 'offer')
      assert.equal(parsed.type === 'offer' ? parsed.senderDevice : 'not an offer', undefined, JSON.stringify(senderDevice).slice(0, 20))
    }
    const old = ControlMessage.parse(offer)
    assert.equal(old.type === 'offer' ? old.senderDevice : 'not an offer', undefined, 'an offer without it (an older Ferry\'s) decodes')
  })
})
