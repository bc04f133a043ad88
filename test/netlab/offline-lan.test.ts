/**
 * Invariant: on a LAN with no route out and no DNS (no internet at all), `ferry receive` with the default relays
 * starts, says in words that only nearby devices can reach it (`relayStatus: 'offline'`, never an `error` or an
 * `internal` code), and a sender on the same LAN — also with the default relays — finds it by mDNS and transfers over
 * TCP. Two network namespaces joined by a veth pair and nothing else: the default relays' DNS names cannot be looked
 * up (the name server has no route), so no packet leaves the machine.
 *
 * And on a host whose only interface is loopback, a WebRTC send says so at once (`no-network`) instead of timing out
 * three dial attempts: libjuice gathers no loopback ICE candidates.
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
import { buildVethLan, createNamespace, deleteNamespace, missingPrerequisite, NS_PREFIX, removeLeftovers, RUN_TAG } from './netns.ts'

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

    it('a host with only loopback: a WebRTC send fails at once with no-network, in words', async () => {
      const ns = `${NS_PREFIX}${RUN_TAG}-lo`
      await createNamespace(ns)
      try {
        const relayId = '12D3KooWGzh1u5b4Nq7Gc9Y6E4qxvYGLhF5RS5YJxEeEYt1nqcmd'
        const peerId = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
        const started = Date.now()
        const sender = ferry(['send', '--to', `/ip4/127.0.0.1/tcp/1/p2p/${relayId}/p2p-circuit/webrtc/p2p/${peerId}`, '--data-dir', join(dir, 'tx-lo'), join(dir, 'payload.bin')], OFFLINE_ENV, { netns: ns })
        assert.notEqual(await sender.exitCode(30_000), 0)
        const error = await sender.waitFor('error', 0)
        assert.equal(error.code, 'no-network', JSON.stringify(error))
        assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`)
      } finally {
        await deleteNamespace(ns)
      }
    })
  })
}
