/**
 * Invariant: `ferry doctor` names the network it runs in — in every topology of the network lab, run as a real
 * process on a host of that topology, its `network` event says whether UDP gets out and which mapping the NAT has,
 * from two STUN servers on two different IPs (coturn on 203.0.113.1 and 203.0.113.2, asked from one socket;
 * RFC 5780 §4.3): a host on the public segment has no NAT; full cone and port-restricted Linux NATs (MASQUERADE keeps
 * the source port) map endpoint-independently; MASQUERADE --random-fully maps endpoint-dependently (symmetric); a
 * router that drops UDP leaves only TCP through the relay. The relay answers in every one, with a reservation and a
 * ping time. Nothing leaves the machine (./lab.ts).
 *
 * Needs root, iproute2, iptables and coturn. Without them the suite is skipped with the reason — except in CI
 * (`CI=true`), where it fails.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, startRelay, stopAll } from '../helpers/cli.ts'
import type { Event } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { NetLab, PUBLIC_IP, PUBLIC_IP_2, TURN_PORT } from './lab.ts'
import { missingPrerequisite } from './netns.ts'
import type { NatType } from './topologies.ts'

const missing = await missingPrerequisite()
const inCI = process.env.CI === 'true'
const STUN_SERVERS = `stun:${PUBLIC_IP}:${TURN_PORT},stun:${PUBLIC_IP_2}:${TURN_PORT}`

/** Each site the lab builds, and what the doctor must say about it. */
const CASES: ReadonlyArray<{ name: string, nat: NatType | 'none', udp: string, mapping: string, reach: string }> = [
  { name: 'a public address (no NAT)', nat: 'none', udp: 'works', mapping: 'no-nat', reach: 'public' },
  { name: 'full cone', nat: 'full-cone', udp: 'works', mapping: 'endpoint-independent', reach: 'direct' },
  { name: 'port-restricted', nat: 'port-restricted', udp: 'works', mapping: 'endpoint-independent', reach: 'direct' },
  { name: 'port-restricted, no INPUT drop', nat: 'port-restricted-no-input-drop', udp: 'works', mapping: 'endpoint-independent', reach: 'direct' },
  { name: 'symmetric', nat: 'symmetric', udp: 'works', mapping: 'endpoint-dependent', reach: 'symmetric' },
  { name: 'UDP blocked', nat: 'udp-blocked', udp: 'blocked', mapping: 'unknown', reach: 'udp-blocked' }
]

if (missing != null && inCI) {
  describe('ferry doctor in the network lab', () => {
    it('the network lab can run in CI', () => {
      assert.fail(`CI=true but ${missing}`)
    })
  })
} else {
  describe('ferry doctor in the network lab', { skip: missing == null ? false : `skipped: ${missing}` }, () => {
    let dir: string
    let lab: NetLab
    let relayAddr: string
    const rows: string[] = []

    before(async () => {
      dir = await tempDir('ferry-doctor-lab-')
      lab = await NetLab.start(dir)
      relayAddr = (await startRelay(join(dir, 'relay'), { netns: lab.inet, listen: lab.relayListen })).addr
    })

    after(async () => {
      for (const row of rows) console.log(row)
      await stopAll()
      await lab?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    for (const c of CASES) {
      it(`${c.name}: UDP ${c.udp}, mapping ${c.mapping}, reach ${c.reach}; the relay answers with a reservation`, async () => {
        let ns: string
        let teardown: () => Promise<void>
        if (c.nat === 'none') {
          ({ ns, teardown } = await lab.buildPublicHost(20))
        } else {
          const cell = await lab.buildCell({ name: c.name, a: c.nat, b: 'port-restricted', expect: 'any' })
          ns = cell.sender
          teardown = cell.teardown
        }
        try {
          const doctor = ferry(['doctor', '--relay', relayAddr, '--ice-servers', STUN_SERVERS], {}, { netns: ns })
          assert.equal(await doctor.exitCode(60_000), 0, doctor.stderr)
          const report = await doctor.waitFor('network', 0)
          const stun = report.stun as Array<{ server: string, mapped?: string, rttMs?: number }>
          const relays = report.relays as Array<{ answered: boolean, reservation: string, pingMs?: number }>
          rows.push(`# ${c.name.padEnd(32)} | udp ${String(report.udp).padEnd(7)} | ${String(report.mapping).padEnd(20)} | ${String(report.reach).padEnd(11)} | ` +
            `STUN ${stun.map(s => s.mapped ?? '-').join(' ')} | relay ping ${relays[0]?.pingMs ?? '-'} ms | ${report.durationMs as number} ms`)
          const seen = JSON.stringify(report)
          assert.equal(report.udp, c.udp, seen)
          assert.equal(report.mapping, c.mapping, seen)
          assert.equal(report.reach, c.reach, seen)
          assert.equal(typeof report.headline, 'string')
          assert.ok((report.details as string[]).length >= 4, seen)
          assert.equal(relays.length, 1)
          assert.equal(relays[0]?.answered, true, seen)
          assert.equal(relays[0]?.reservation, 'granted', seen)
          assert.equal(typeof relays[0]?.pingMs, 'number', seen)
          assert.equal((report.upnp as Event).status, 'not-enabled')
          if (c.udp === 'works') {
            assert.equal(stun.length, 2)
            assert.ok(stun.every(s => s.mapped != null && typeof s.rttMs === 'number'), seen)
          }
        } finally {
          await teardown()
        }
      })
    }
  })
}
