/**
 * Invariant: two Ferry peers on the same LAN find each other by mDNS with no relay running, and `ferry send --to
 * <peer ID>` reaches the receiver directly over TCP (`connected.transport === 'tcp'`, route `lan`); the file arrives
 * byte-identical. LAN discovery is on only where the test turns it on (`FERRY_MDNS=on`), inside two network
 * namespaces it creates and joins with a veth pair — no multicast reaches the machine's real interfaces.
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
/** Each process sees mDNS on (the helper's default is off) and no relay, no ICE server. */
const LAN_ENV = { FERRY_MDNS: 'on', FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none' }

if (missing != null && inCI) {
  describe('LAN discovery by mDNS (network namespaces)', () => {
    it('the LAN namespaces can be built in CI', () => {
      assert.fail(`CI=true but ${missing}`)
    })
  })
} else {
  describe('LAN discovery by mDNS (network namespaces)', { skip: missing == null ? false : `skipped: ${missing}` }, () => {
    let dir: string
    let lan: Awaited<ReturnType<typeof buildVethLan>>

    before(async () => {
      dir = await tempDir('ferry-mdns-lan-')
      await randomFile(join(dir, 'payload.bin'), 8 * 1048576)
      await removeLeftovers()
      lan = await buildVethLan('lan', '10.98.0')
    })

    after(async () => {
      await stopAll()
      await lan?.teardown()
      await rm(dir, { recursive: true, force: true })
    })

    it('with no relay, discover finds the LAN peer and send --to <peer ID> transfers directly over TCP', async () => {
      const receiver = ferry(['receive', '--yes', '--once', '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out')], LAN_ENV, { netns: lan.b })
      const ready = await receiver.waitFor('ready', 30_000)
      const peerId = ready.peerId as string
      assert.ok((ready.addrs as string[]).some(a => a.startsWith('/ip4/10.98.0.2/tcp/')), `the receiver listens on its LAN address: ${JSON.stringify(ready.addrs)}`)

      const discover = ferry(['discover', '--timeout', '3', '--data-dir', join(dir, 'tx')], LAN_ENV, { netns: lan.a })
      assert.equal(await discover.exitCode(30_000), 0, discover.stderr)
      const found = discover.events.filter(e => e.event === 'peer')
      assert.deepEqual(found.map(e => e.peerId), [peerId], `discover lists exactly the receiver: ${JSON.stringify(discover.events)}`)
      assert.ok((found[0]?.addrs as string[]).some(a => a.startsWith('/ip4/10.98.0.2/tcp/')), JSON.stringify(found))
      assert.deepEqual(discover.events.at(-1), { event: 'done', count: 1 })

      const sender = ferry(['send', '--to', peerId, '--data-dir', join(dir, 'tx'), join(dir, 'payload.bin')], LAN_ENV, { netns: lan.a })
      const route = await sender.waitFor('route', 30_000)
      assert.equal(route.via, 'lan', JSON.stringify(route))
      const connected = await sender.waitFor('connected', 30_000)
      assert.equal(connected.transport, 'tcp', JSON.stringify(connected))
      assert.match(connected.remoteAddr as string, /^\/ip4\/10\.98\.0\.2\/tcp\//)
      assert.equal(connected.limited, false)
      assert.equal(await sender.exitCode(60_000), 0, sender.stderr)
      assert.equal(await receiver.exitCode(30_000), 0, receiver.stderr)
      const complete = await receiver.waitFor('complete')
      assert.equal(complete.transport, 'tcp')
      assert.deepEqual(await readFile(join(dir, 'out', 'payload.bin')), await readFile(join(dir, 'payload.bin')))
    })

    it('with mDNS off (FERRY_MDNS=off), nothing is discovered on the same LAN', async () => {
      const receiver = ferry(['receive', '--yes', '--data-dir', join(dir, 'rx2'), '--out', join(dir, 'out2')], LAN_ENV, { netns: lan.b })
      await receiver.waitFor('ready', 30_000)
      const discover = ferry(['discover', '--timeout', '2', '--data-dir', join(dir, 'tx2')], { ...LAN_ENV, FERRY_MDNS: 'off' }, { netns: lan.a })
      assert.notEqual(await discover.exitCode(30_000), 0)
      assert.equal((await discover.waitFor('error')).code, 'invalid-config')
      const quiet = ferry(['discover', '--timeout', '2', '--data-dir', join(dir, 'tx2')], LAN_ENV, { netns: lan.a })
      assert.equal(await quiet.exitCode(30_000), 0)
      assert.equal(quiet.events.filter(e => e.event === 'peer').length, 1, 'the receiver is found when mDNS is on')
      await receiver.stop()
      const noMdns = ferry(['receive', '--yes', '--no-mdns', '--data-dir', join(dir, 'rx2'), '--out', join(dir, 'out2')], LAN_ENV, { netns: lan.b })
      await noMdns.waitFor('ready', 30_000)
      const none = ferry(['discover', '--timeout', '2', '--data-dir', join(dir, 'tx2')], LAN_ENV, { netns: lan.a })
      assert.equal(await none.exitCode(30_000), 0)
      assert.equal(none.events.filter(e => e.event === 'peer').length, 0, 'a receiver started with --no-mdns does not answer')
      await noMdns.stop()
    })
  })
}
