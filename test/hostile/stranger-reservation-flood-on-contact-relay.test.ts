/**
 * Attack: strangers flood a contact relay — a `ferry receive` that relays for its contacts (on by default) — with
 * reservations: 500 new identities from 20 source addresses each connect and ask for a slot, then leave. Invariants:
 * every one is refused (the gate's `denyInboundRelayReservation`: not a contact), the victim — its V8 old space capped
 * at {@link HEAP_CAP_MIB} MiB, so that only memory it keeps counts — grows by at most {@link MAX_GROWTH_BYTES} over the
 * flood and keeps running, and a contact still reserves on it afterwards (the relay is on, and nothing the strangers
 * did took its place).
 *
 * The victim is the real `ferry receive` in its own process, so the resident set measured (`/proc/<pid>/status`,
 * VmRSS) is the victim's alone.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { ferry, stopAll } from '../helpers/cli.ts'
import type { FerryProcess } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { MAX_CONTACT_RESERVATIONS } from '../../src-main/core/relay/index.ts'
import { attackerNode, attackerSource, holdReservations, reserveAndLeave } from './relay-attackers.ts'

/** The bound: memory the flood may add to the victim, in bytes. */
const MAX_GROWTH_BYTES = 32 * 1024 * 1024
/**
 * The victim's V8 old space, capped (MiB): what the flood leaves reachable must fit, or the victim dies of it. Without
 * a cap, V8 grows its heap lazily (measured +64–109 MiB of RSS over the same flood, refused or not) and RSS says
 * nothing about what is kept.
 */
const HEAP_CAP_MIB = 64
const IDENTITIES = 500

/** Resident set of process `pid`, in bytes. */
async function rssOf (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
  if (kib == null) throw new Error(`no VmRSS for ${pid}`)
  return Number(kib) * 1024
}

/** Starts a `ferry receive` relaying for its contact Carol (added with the real CLI first); its address and pid. */
async function startVictim (dir: string, carolKey: PrivateKey): Promise<{ addr: string, pid: number, victim: FerryProcess }> {
  const dataDir = join(dir, 'victim')
  const added = ferry(['contacts', 'add', peerIdFromPrivateKey(carolKey).toString(), '--name', 'Carol', '--data-dir', dataDir])
  assert.equal(await added.exitCode(), 0, added.stderr)
  const victim = ferry(['receive', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--relay', 'none', '--data-dir', dataDir, '--out', join(dir, 'downloads')], { NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MIB}` })
  const ready = await victim.waitFor('ready')
  const tcp = (ready.addrs as string[]).find(a => a.includes('/tcp/'))
  assert.ok(tcp != null, JSON.stringify(ready))
  return { addr: tcp.includes('/p2p/') ? tcp : `${tcp}/p2p/${String(ready.peerId)}`, pid: victim.child.pid as number, victim }
}

/** Whether the contact `key` reserves on `addr` (from 127.0.0.1, like the honest peers). */
async function contactReserves (addr: string, key: PrivateKey): Promise<boolean> {
  try {
    const carol = await attackerNode('127.0.0.1', [`${addr}/p2p-circuit`], key)
    const reserved = carol.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit'))
    await carol.stop()
    return reserved
  } catch (err) {
    console.log(`# the contact's reservation failed: ${(err as Error).message}`)
    return false
  }
}

describe('hostile peers: a stranger\'s reservation flood on a contact relay', { skip: process.platform !== 'linux' }, () => {
  const dirs: string[] = []
  after(async () => {
    await stopAll()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it(`${IDENTITIES} strangers are refused every reservation, the victim grows by at most ${MAX_GROWTH_BYTES / 1048576} MiB, and a contact still reserves`, async () => {
    const dir = await tempDir('ferry-contact-relay-flood-')
    dirs.push(dir)
    // Carol, a contact of the victim.
    const carolKey = await generateKeyPair('Ed25519')
    const { addr, pid, victim } = await startVictim(dir, carolKey)

    // A first round warms the victim up (libp2p's lazily made structures), then the measured flood.
    const sources = Array.from({ length: 20 }, (_v, i) => attackerSource(i))
    await reserveAndLeave(addr, { identities: 40, sources, concurrency: 8 })
    await new Promise(resolve => setTimeout(resolve, 1_000))
    const before = await rssOf(pid)
    let peak = before
    const sampler = setInterval(() => { void rssOf(pid).then(r => { peak = Math.max(peak, r) }, () => {}) }, 50)
    const started = Date.now()
    const flood = { reserved: 0, refused: 0 }
    const rounds: string[] = []
    for (let done = 0; done < IDENTITIES; done += 100) {
      const round = await reserveAndLeave(addr, { identities: Math.min(100, IDENTITIES - done), sources, concurrency: 8 })
      flood.reserved += round.reserved
      flood.refused += round.refused
      rounds.push(((await rssOf(pid) - before) / 1048576).toFixed(1))
    }
    console.log(`# growth after each 100: ${rounds.join(', ')} MiB`)
    const floodMs = Date.now() - started
    await new Promise(resolve => setTimeout(resolve, 2_000))
    clearInterval(sampler)
    const settled = await rssOf(pid)

    const contactReserved = await contactReserves(addr, carolKey)
    const mib = (n: number): string => (n / 1048576).toFixed(1)
    console.log(`# ${IDENTITIES} strangers in ${floodMs} ms: ${flood.reserved} reserved, ${flood.refused} refused; victim RSS ${mib(before)} MiB before, peak ${mib(peak)} (+${mib(peak - before)}), ${mib(settled)} after (+${mib(settled - before)}); the contact reserved: ${contactReserved}`)
    assert.equal(flood.reserved, 0, `a stranger got ${flood.reserved} reservations on a contact relay`)
    assert.equal(flood.refused, IDENTITIES)
    assert.ok(peak - before <= MAX_GROWTH_BYTES, `the victim grew by ${mib(peak - before)} MiB (bound ${mib(MAX_GROWTH_BYTES)})`)
    assert.equal(contactReserved, true, 'a contact reserves on the victim after the flood')
    assert.equal(victim.child.exitCode, null, 'the victim still runs')
  })

  it(`strangers that stay connected hold none of the ${MAX_CONTACT_RESERVATIONS} slots: a contact still reserves`, async () => {
    const dir = await tempDir('ferry-contact-relay-hold-')
    dirs.push(dir)
    const carolKey = await generateKeyPair('Ed25519')
    const { addr } = await startVictim(dir, carolKey)
    const sources = Array.from({ length: 20 }, (_v, i) => attackerSource(i))
    const held = await holdReservations(addr, { identities: MAX_CONTACT_RESERVATIONS + 16, sources, concurrency: 8 })
    try {
      const contactReserved = await contactReserves(addr, carolKey)
      console.log(`# ${MAX_CONTACT_RESERVATIONS + 16} strangers staying connected: ${held.reserved} reserved, ${held.refused} refused; the contact reserved: ${contactReserved}`)
      assert.equal(held.reserved, 0, `strangers hold ${held.reserved} reservations on a contact relay`)
      assert.equal(contactReserved, true, 'a contact reserves while strangers stay connected')
    } finally {
      await held.stop()
    }
  })
})
