/**
 * Invariant: on a LAN with no route out and no DNS (no internet at all), `ferry receive` with the default relays
 * starts, says in words that only nearby devices can reach it (`relayStatus: 'offline'`, never an `error` or an
 * `internal` code), and a sender on the same LAN — also with the default relays — finds it by mDNS and transfers over
 * TCP. Two network namespaces joined by a veth pair and nothing else: the default relays' DNS names cannot be looked
 * up (the name server has no route), so no packet leaves the machine.
 *
 * Needs root and iproute2. Without them the suite is skipped with the reason — except in CI (`CI=true`), where it
 * fails.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, stopAll } from '../helpers/cli.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'
import { buildVethLan, missingPrerequisite, removeLeftovers } from './netns.ts'

const missing = await missingPrerequisite(['ip'])
const inCI = process.env.CI === 'true'
/** The default relays (`FERRY_RELAYS` empty) and mDNS on; no ICE server. */
const OFFLINE_ENV = { FERRY_MDNS: 'on', FERRY_RELAYS: '', FERRY_ICE_SERVERS: 'none' }

if (missing != null && inCI) {
  describe('a LAN with no internet (network namespaces)', () => {
    it('the LAN namespaces can be built in CI', () => {
      assert.fail(`CI=true but ${missing}`)
    })
  })
} else {
  describe('a LAN with no internet (network namespaces)', { skip: missing == null ? false : `skipped: ${missing}` }, () => {
    let dir: string
    let lan: Awaited<ReturnType<typeof buildVethLan>>

    before(async () => {
      dir = await tempDir('ferry-offline-lan-')
      await randomFile(join(dir, 'payload.bin'), 4 * 1048576)
      await removeLeftovers()
      lan = await buildVethLan('off', '10.96.0')
    })

    after(async () => {
      await stopAll()
      await lan?.teardown()
      await rm(dir, { recursive: true, force: true })
    })

    it('default relays unreachable (no route, no DNS): receive starts offline and a LAN peer still sends over TCP', async () => {
      const receiver = ferry(['receive', '--yes', '--once', '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out')], OFFLINE_ENV, { netns: lan.b })
      const ready = await receiver.waitFor('ready', 30_000)
      assert.equal(ready.relayStatus, 'offline', JSON.stringify(ready))
      assert.ok(!receiver.events.some(e => e.event === 'error'), JSON.stringify(receiver.events))
      assert.ok((ready.addrs as string[]).some(a => a.startsWith('/ip4/10.96.0.2/tcp/')), JSON.stringify(ready.addrs))

      const sender = ferry(['send', '--to', ready.peerId as string, '--data-dir', join(dir, 'tx'), join(dir, 'payload.bin')], OFFLINE_ENV, { netns: lan.a })
      const connected = await sender.waitFor('connected', 30_000)
      assert.equal(connected.transport, 'tcp', JSON.stringify(connected))
      assert.equal(await sender.exitCode(60_000), 0, sender.stderr)
      assert.equal(await receiver.exitCode(30_000), 0, receiver.stderr)
      assert.deepEqual(await readFile(join(dir, 'out', 'payload.bin')), await readFile(join(dir, 'payload.bin')))
    })
  })
}
