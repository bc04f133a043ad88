/**
 * Invariant: two contacts behind symmetric NATs — no TURN server, no relay that carries data (`--relay-data`), no
 * configured relay at all — transfer through a third peer on the public internet that is a contact of both and relays
 * for its contacts (`ferry receive`, on by default): the sender's `connected` event names that contact as the path
 * (`path: 'contact-relay'`, `via: <its name>`), and the file arrives byte-identical. A peer that is not that contact's
 * contact can neither reserve on it nor be relayed through it to a contact. The same holds when the reachable third
 * peer is the receiver's own second device.
 *
 * Real `ferry` processes in the network lab (./lab.ts): the two NATed sites of a cell and a public host. Everyone
 * learns who relays as in use: each contact's last known direct address is in its store, `ferry receive`'s presence
 * check connects, identify shows the relay protocol, the store records it, and the receiver reserves there. The sender
 * learned the same way in an earlier `ferry receive` run.
 *
 * Needs root, iproute2, iptables and coturn (the lab's; only its STUN is used here). Without them the suite is skipped
 * with the reason — except in CI (`CI=true`), where it fails.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity } from '../../src-main/core/identity/index.ts'
import { DATABASE_FILE } from '../../src-main/core/peer/index.ts'
import { openStore } from '../../src-main/core/store/index.ts'
import { ferry, stopAll } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { randomFile, rm, tempDir, treeHashes } from '../helpers/files.ts'
import { NetLab, PUBLIC_IP, TURN_PORT } from './lab.ts'
import { missingPrerequisite } from './netns.ts'

const FILE_MIB = 16
const RELAY_TCP_PORT = 4101
/** STUN only (the lab's coturn): ICE tries server-reflexive candidates, which symmetric NATs on both sides defeat. */
const STUN_ONLY = `stun:${PUBLIC_IP}:${TURN_PORT}`
const missing = await missingPrerequisite()
const inCI = process.env.CI === 'true'

/** Data directory and peer ID of a lab peer (its identity made before it first runs, to exchange as contacts). */
async function identity (dataDir: string): Promise<{ dataDir: string, peerId: string }> {
  return { dataDir, peerId: peerIdFromPrivateKey(await loadOrCreateIdentity(dataDir)).toString() }
}

/** Adds contacts to a data directory's store (`addrs`: last known direct addresses). */
function addContacts (dataDir: string, contacts: Array<{ peerId: string, name: string, addrs?: string[] }>): void {
  const store = openStore(join(dataDir, DATABASE_FILE))
  try {
    for (const c of contacts) store.contacts.upsert(c)
  } finally {
    store.close()
  }
}

/** Waits for `p`'s `contact-relay` event saying it reserved on `peerId`. */
async function reservedOn (p: FerryProcess, peerId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!p.events.some(e => e.event === 'contact-relay' && e.peerId === peerId && e.state === 'reserved')) {
    if (Date.now() > deadline) throw new Error(`no reservation on ${peerId} within ${timeoutMs} ms: ${JSON.stringify(p.events)}\n${p.stderr}`)
    if (p.child.exitCode != null) throw new Error(`exited ${p.child.exitCode}: ${p.stderr}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

async function stop (p: FerryProcess | undefined): Promise<void> {
  if (p == null) return
  const kill = setTimeout(() => p.child.kill('SIGKILL'), 5000)
  await p.stop()
  clearTimeout(kill)
}

if (missing != null && inCI) {
  describe('contacts as relays (network lab)', () => {
    it('the network lab can run in CI', () => {
      assert.fail(`CI=true but ${missing}`)
    })
  })
} else {
  describe('contacts as relays (network lab)', { skip: missing == null ? false : `skipped: ${missing}` }, () => {
    let dir: string
    let lab: NetLab
    const rows: string[] = []

    before(async () => {
      dir = await tempDir('ferry-netlab-contact-relays-')
      await mkdir(join(dir, 'src'))
      await randomFile(join(dir, 'src', 'payload.bin'), FILE_MIB * 1048576)
      lab = await NetLab.start(dir)
    })

    after(async () => {
      console.log(`# contacts as relays: ${FILE_MIB} MiB, symmetric NAT both sides, no TURN, no --relay-data relay; sender's view`)
      for (const row of rows) console.log(row)
      await stopAll()
      await lab?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    /**
     * One cell: `relayName` (a public host, 203.0.113.`host`) is a contact of both; it relays between them. With
     * `strangerCheck`, a peer that is not its contact (in the internet namespace) tries to reserve on it and to reach
     * the receiver through it first.
     */
    async function cell (label: string, host: number, relayName: string, strangerCheck: boolean): Promise<void> {
      const work = join(dir, label)
      const nat = await lab.buildCell({ name: label, a: 'symmetric', b: 'symmetric', expect: 'relayed' })
      const pub = await lab.buildPublicHost(host)
      const started: FerryProcess[] = []
      // LAB_DEBUG=<namespaces> passes DEBUG to every process of the cell (e.g. `libp2p:circuit-relay:server,ferry:*`).
      const run = (args: string[], ns: string): FerryProcess => { const p = ferry(args, process.env.LAB_DEBUG == null ? {} : { DEBUG: process.env.LAB_DEBUG }, { netns: ns }); started.push(p); return p }
      try {
        const alice = await identity(join(work, 'alice'))
        const bob = await identity(join(work, 'bob'))
        const relay = await identity(join(work, 'relay'))
        const relayAddr = `/ip4/203.0.113.${host}/tcp/${RELAY_TCP_PORT}/p2p/${relay.peerId}`
        addContacts(relay.dataDir, [{ peerId: alice.peerId, name: 'Alice' }, { peerId: bob.peerId, name: 'Bob' }])
        addContacts(alice.dataDir, [{ peerId: bob.peerId, name: 'Bob' }, { peerId: relay.peerId, name: relayName, addrs: [relayAddr] }])
        addContacts(bob.dataDir, [{ peerId: alice.peerId, name: 'Alice' }, { peerId: relay.peerId, name: relayName, addrs: [relayAddr] }])

        const relayPeer = run(['receive', '--listen', `/ip4/0.0.0.0/tcp/${RELAY_TCP_PORT}`, '--relay', 'none', '--ice-servers', 'none', '--data-dir', relay.dataDir, '--out', join(work, 'relay-out'), '--yes'], pub.ns)
        await relayPeer.waitFor('ready', 30_000)
        const receiver = run(['receive', '--relay', 'none', '--ice-servers', STUN_ONLY, '--data-dir', bob.dataDir, '--out', join(work, 'out'), '--yes', '--once'], nat.receiver)
        await receiver.waitFor('ready', 30_000)
        await reservedOn(receiver, relay.peerId)
        // The sender learns who relays as a receiver does (in the app it runs all the time); then it sends.
        const learning = run(['receive', '--relay', 'none', '--ice-servers', 'none', '--data-dir', alice.dataDir, '--out', join(work, 'alice-out')], nat.sender)
        await reservedOn(learning, relay.peerId)
        await stop(learning)

        if (strangerCheck) {
          const stranger = join(work, 'stranger')
          const refused = run(['receive', '--relay', relayAddr, '--ice-servers', 'none', '--data-dir', stranger, '--out', join(work, 'stranger-out')], lab.inet)
          const ready = await refused.waitFor('ready', 30_000)
          const error = ready.relayError as { code?: string, reason?: string } | undefined
          assert.notEqual(ready.relayStatus, 'reserved', `a stranger reserved on ${relayName}: ${JSON.stringify(ready)}`)
          assert.equal(error?.code, 'relay-refused', JSON.stringify(ready))
          assert.equal(error?.reason, 'permission-denied', JSON.stringify(ready))
          await stop(refused)
          const intruder = run(['send', '--relay', 'none', '--ice-servers', 'none', '--data-dir', stranger, '--to', `${relayAddr}/p2p-circuit/webrtc/p2p/${bob.peerId}`, join(dir, 'src', 'payload.bin')], lab.inet)
          const code = await intruder.exitCode(90_000)
          assert.notEqual(code, 0, 'a stranger is not relayed to a contact')
          assert.ok(!receiver.events.some(e => e.event === 'offer'), 'no offer of the stranger reached the receiver')
        }

        const sender = run(['send', '--relay', 'none', '--ice-servers', STUN_ONLY, '--data-dir', alice.dataDir, '--to', 'Bob', join(dir, 'src', 'payload.bin')], nat.sender)
        const diag = (): string => `\nsender: ${JSON.stringify(sender.events.filter(e => e.event !== 'progress'))}\n${sender.stderr}\nreceiver: ${receiver.stderr.slice(-4000)}\nrelay: ${relayPeer.stderr.slice(-6000)}`
        const route = await sender.waitFor('route', 30_000).catch((err: Error) => { throw new Error(`${err.message.slice(0, 300)}${diag()}`) })
        const connected = await sender.waitFor('connected', 90_000).catch((err: Error) => { throw new Error(`${err.message}${diag()}`) })
        const senderCode = await sender.exitCode(180_000).catch((err: Error) => { throw new Error(`${err.message.slice(0, 200)}${diag()}`) })
        const receiverCode = senderCode === 0 ? await receiver.exitCode(30_000) : 'not awaited'
        const complete = sender.events.find(e => e.event === 'complete') as Event | undefined
        const identical = JSON.stringify([...await treeHashes(join(dir, 'src'))].sort()) === JSON.stringify([...await treeHashes(join(work, 'out'))].sort())
        rows.push(`# ${label.padEnd(28)} | route ${String(route.via)} (${String(route.relayContact)}) | path ${String(connected.path)} via ${String(connected.via)} | transport ${String(connected.transport)} | connect ${String(connected.connectMs)} ms | ${complete?.mibPerSec == null ? '-' : Number(complete.mibPerSec).toFixed(1)} MiB/s | ${identical ? 'verified' : 'DIFFERENT'}`)
        const diagnostics = diag()
        assert.equal(route.via, 'contact-relay', JSON.stringify(route))
        assert.equal(route.relayContact, relayName)
        assert.equal(senderCode, 0, `sender exit code${diagnostics}`)
        assert.equal(receiverCode, 0, `receiver exit code${diagnostics}`)
        assert.equal(identical, true, 'the received file is byte-identical to the sent one')
        assert.equal(connected.limited, false, 'file bytes never flow over a limited connection')
        assert.equal(connected.relayed, true, 'symmetric NATs on both sides and no TURN: the bytes are relayed')
        assert.equal(connected.path, 'contact-relay', JSON.stringify(connected))
        assert.equal(connected.via, relayName, JSON.stringify(connected))
      } finally {
        for (const p of started.reverse()) await stop(p)
        await pub.teardown().catch(() => {})
        await nat.teardown()
      }
    }

    it('symmetric NAT on both sides, no TURN: the file goes through Carol (a contact of both), shown as through Carol; a stranger can neither reserve on her nor be relayed', async () => {
      await cell('through a contact', 20, 'Carol', true)
    })

    it('the same pair through the receiver\'s own second device', async () => {
      await cell('through Bob\'s own device', 21, 'Bob (desktop)', false)
    })
  })
}
