/**
 * Invariant: a `ferry receive` behind a home router that speaks NAT-PMP only (RFC 6886; Debian's miniupnpd with
 * `enable_upnp=no`, so no UPnP-IGD answers the search) gets a public TCP port mapped by NAT-PMP — asked of its default
 * gateway, read from /proc/net/route, for RFC 6886's recommended 7200 s — reports it as `mapped` with protocol
 * `nat-pmp`, and a `ferry send` behind a symmetric NAT reaches it directly over TCP at that address with no relay and
 * no TURN server; when the receiver exits, it deletes the mapping (lifetime 0) and the router holds none.
 *
 * Real processes in the lab's namespaces (./lab.ts, ./upnp-gateway.ts); needs root, iproute2, iptables, coturn,
 * miniupnpd and nftables. Without them the suite is skipped with the reason — except in CI (`CI=true`), where it fails.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, stopAll } from '../helpers/cli.ts'
import type { FerryProcess } from '../helpers/cli.ts'
import { randomFile, rm, tempDir, treeHashes } from '../helpers/files.ts'
import { NetLab } from './lab.ts'
import { missingPrerequisite, REQUIRED_TOOLS } from './netns.ts'
import { startUpnpGateway, UPNP_EXTERNAL_IP } from './upnp-gateway.ts'
import type { UpnpGateway } from './upnp-gateway.ts'

const FILE_MIB = 8
/** The NAT-PMP gateway is handed over when the first search (5 s) ends, then the module's 5 s debounce; with margin. */
const MAP_TIMEOUT_MS = 45_000
const missing = await missingPrerequisite([...REQUIRED_TOOLS, 'miniupnpd', 'nft'])
const inCI = process.env.CI === 'true'

if (missing != null && inCI) {
  describe('NAT-PMP port mapping (network lab)', () => {
    it('the network lab can run in CI', () => {
      assert.fail(`CI=true but ${missing}`)
    })
  })
} else {
  describe('NAT-PMP port mapping (network lab)', { skip: missing == null ? false : `skipped: ${missing}` }, () => {
    let dir: string
    let lab: NetLab

    before(async () => {
      dir = await tempDir('ferry-nat-pmp-')
      await mkdir(join(dir, 'src'))
      await randomFile(join(dir, 'src', 'payload.bin'), FILE_MIB * 1048576)
      lab = await NetLab.start(dir)
    })

    after(async () => {
      await stopAll()
      await lab?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    it('a receiver behind a NAT-PMP router maps a port, a peer behind a symmetric NAT reaches it directly over TCP, and the mapping is removed at exit', async () => {
      const cell = await lab.buildCell({ name: 'NAT-PMP router', a: 'symmetric', b: 'port-restricted', expect: 'direct' })
      let gateway: UpnpGateway | undefined
      let receiver: FerryProcess | undefined
      let sender: FerryProcess | undefined
      try {
        gateway = await startUpnpGateway(cell.routers.receiver, { wanIp: '203.0.113.12', lanSubnet: '10.99.2.0/24', otherRouters: [cell.routers.sender], dir, protocols: 'nat-pmp' })
        // No relay, no STUN/TURN: only the mapped port can make the receiver reachable from the other site.
        const net = { FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none' }
        receiver = ferry(['receive', '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out'), '--yes', '--once'], { ...net, FERRY_UPNP: 'on' }, { netns: cell.receiver })
        const ready = await receiver.waitFor('ready', 20_000)
        const readyAt = Date.now()
        assert.equal(ready.upnp, 'searching', 'ready is printed at once, while the gateway search still runs')
        const mapped = await receiver.waitFor('upnp', MAP_TIMEOUT_MS)
        const mappedAfterMs = Date.now() - readyAt
        const diagnostics = `\nminiupnpd: ${gateway.log().slice(-2000)}\nreceiver: ${receiver.stderr}`
        assert.equal(mapped.upnp, 'mapped', `the router mapped a port${JSON.stringify(mapped)}${diagnostics}`)
        assert.equal(mapped.protocol, 'nat-pmp', 'by NAT-PMP (the router answers no UPnP search)')
        const to = (mapped.addrs as string[]).find(a => a.startsWith(`/ip4/${UPNP_EXTERNAL_IP}/tcp/`))
        assert.ok(to != null, `the mapped address is the router's external address (NAT-PMP's external address request): ${JSON.stringify(mapped)}`)
        const own = (mapped.directAddrs as string[]).map(a => a.replace(/\/p2p\/[^/]+$/, ''))
        assert.ok(own.includes(to.replace(/\/p2p\/[^/]+$/, '')), `the node's own addresses (identify announces them) include it: ${JSON.stringify(own)}`)
        const port = Number(to.split('/')[4])
        assert.match(gateway.log(), new RegExp(`NAT-PMP port mapping request : ${port}->10\\.99\\.2\\.2:\\d+ tcp lifetime=7200s`), `the request asked for 7200 s in seconds${diagnostics}`)
        assert.doesNotMatch(gateway.log(), /HTTP listening/, 'the router ran no UPnP-IGD')
        assert.equal((await gateway.forwards()).filter(r => r.includes(`dport ${port} `)).length, 1, 'the router forwards that port')
        assert.equal((await gateway.leases()).filter(l => l.startsWith(`TCP:${port}:10.99.2.2:`)).length, 1, 'the router records the lease for the receiver')

        sender = ferry(['send', '--data-dir', join(dir, 'tx'), '--to', to, join(dir, 'src', 'payload.bin')], net, { netns: cell.sender })
        const connected = await sender.waitFor('connected', 30_000)
        console.log(`# NAT-PMP cell: mapped ${to.split('/p2p/')[0] ?? to} ${mappedAfterMs} ms after ready; sender behind a symmetric NAT connected over ${String(connected.transport)} in ${String(connected.connectMs)} ms (relayed: ${String(connected.relayed)})`)
        assert.equal(connected.transport, 'tcp', 'the sender connects over TCP')
        assert.equal(connected.relayed, false, 'directly: no relay carries it')
        assert.equal(connected.limited, false)
        assert.ok(String(connected.remoteAddr).startsWith(`/ip4/${UPNP_EXTERNAL_IP}/tcp/${port}`), `to the mapped port: ${String(connected.remoteAddr)}`)
        assert.equal(await sender.exitCode(60_000), 0, `sender exit code\nsender: ${sender.stderr}`)
        assert.equal(await receiver.exitCode(30_000), 0, `receiver exit code\nreceiver: ${receiver.stderr}`)
        const sent = await treeHashes(join(dir, 'src'))
        const received = await treeHashes(join(dir, 'out'))
        assert.deepEqual([...received].sort(), [...sent].sort(), 'the file arrived byte-identical')

        assert.deepEqual(await gateway.forwards(), [], `the receiver removed its port forward when it exited${diagnostics}`)
        assert.deepEqual(await gateway.leases(), [], 'and the router holds no lease for it')
        assert.match(gateway.log(), new RegExp(`NAT-PMP port mapping request : 0->10\\.99\\.2\\.2:\\d+ tcp lifetime=0s`), 'by a NAT-PMP deletion (lifetime 0, external port 0)')
        assert.match(gateway.log(), new RegExp(`NAT-PMP TCP port ${port} mapping removed`), 'which the router carried out')
        assert.ok(receiver.events.some(e => e.event === 'upnp' && e.upnp === 'off'), 'the receiver said the port is closed again')
      } finally {
        await Promise.all([sender, receiver].map(async p => {
          if (p == null) return
          const kill = setTimeout(() => p.child.kill('SIGKILL'), 5000)
          await p.stop()
          clearTimeout(kill)
        }))
        await gateway?.stop()
        await cell.teardown()
      }
    })
  })
}
