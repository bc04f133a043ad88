/**
 * Invariant: a `ferry receive` behind a home router that runs a real UPnP-IGD daemon (Debian's miniupnpd) gets a public
 * TCP port mapped by the router without delaying its `ready` event, lists the mapped address among its own addresses
 * (the ones identify announces), and a `ferry send` behind a symmetric NAT — where WebRTC would need TURN — reaches it
 * directly over TCP at that address, with no relay and no TURN server configured; when the receiver exits, the
 * mapping is gone from the router. The same holds behind a router that speaks only NAT-PMP (RFC 6886; miniupnpd with
 * `enable_upnp=no`): the port is asked of the default gateway (read from /proc/net/route) for RFC 6886's recommended
 * 7200 s, reported with protocol `nat-pmp`, and deleted at exit (lifetime 0). A contact learns the mapped address by itself — identify over a relayed presence
 * check — and its `send --to <peer ID>` then dials it first (route `last-known`). Without a UPnP router the receiver
 * starts just the same and says `no-gateway`.
 *
 * Real processes in the lab's namespaces (./lab.ts, ./upnp-gateway.ts); needs root, iproute2, iptables, coturn,
 * miniupnpd and nftables. Without them the suite is skipped with the reason — except in CI (`CI=true`), where it fails.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, startRelay, stopAll } from '../helpers/cli.ts'
import type { FerryProcess } from '../helpers/cli.ts'
import { randomFile, rm, tempDir, treeHashes } from '../helpers/files.ts'
import { NetLab } from './lab.ts'
import { missingPrerequisite, REQUIRED_TOOLS } from './netns.ts'
import { startUpnpGateway, UPNP_EXTERNAL_IP } from './upnp-gateway.ts'
import type { UpnpGateway } from './upnp-gateway.ts'

const FILE_MIB = 8
/** The receiver maps within one gateway search (5 s) plus the module's 5 s debounce; generous for a loaded machine. */
const MAP_TIMEOUT_MS = 45_000
const missing = await missingPrerequisite([...REQUIRED_TOOLS, 'miniupnpd', 'nft'])
const inCI = process.env.CI === 'true'

if (missing != null && inCI) {
  describe('UPnP port mapping (network lab)', () => {
    it('the network lab can run in CI', () => {
      assert.fail(`CI=true but ${missing}`)
    })
  })
} else {
  describe('UPnP port mapping (network lab)', { skip: missing == null ? false : `skipped: ${missing}` }, () => {
    let dir: string
    let lab: NetLab

    before(async () => {
      dir = await tempDir('ferry-upnp-')
      await mkdir(join(dir, 'src'))
      await randomFile(join(dir, 'src', 'payload.bin'), FILE_MIB * 1048576)
      lab = await NetLab.start(dir)
    })

    after(async () => {
      await stopAll()
      await lab?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    /**
     * The cell both protocols share: a receiver behind a router that speaks `protocol` maps a port, a sender behind a
     * symmetric NAT reaches it directly over TCP, and the mapping is gone once the receiver exits.
     */
    async function mapsAPort (protocol: 'upnp' | 'nat-pmp'): Promise<void> {
      const name = protocol === 'upnp' ? 'UPnP' : 'NAT-PMP'
      const cell = await lab.buildCell({ name: `${name} router`, a: 'symmetric', b: 'port-restricted', expect: 'direct' })
      let gateway: UpnpGateway | undefined
      let receiver: FerryProcess | undefined
      let sender: FerryProcess | undefined
      try {
        gateway = await startUpnpGateway(cell.routers.receiver, { wanIp: '203.0.113.12', lanSubnet: '10.99.2.0/24', otherRouters: [cell.routers.sender], dir, ...(protocol === 'nat-pmp' ? { protocols: 'nat-pmp' as const } : {}) })
        // No relay, no STUN/TURN: only the mapped port can make the receiver reachable from the other site.
        const net = { FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none' }
        receiver = ferry(['receive', '--data-dir', join(dir, protocol, 'rx'), '--out', join(dir, protocol, 'out'), '--yes', '--once'], { ...net, FERRY_UPNP: 'on' }, { netns: cell.receiver })
        const ready = await receiver.waitFor('ready', 20_000)
        const readyAt = Date.now()
        assert.equal(ready.upnp, 'searching', 'ready is printed at once, while the gateway search still runs')
        const mapped = await receiver.waitFor('upnp', MAP_TIMEOUT_MS)
        const mappedAfterMs = Date.now() - readyAt
        const diagnostics = `\nminiupnpd: ${gateway.log().slice(-2000)}\nreceiver: ${receiver.stderr}`
        assert.equal(mapped.upnp, 'mapped', `the router mapped a port${JSON.stringify(mapped)}${diagnostics}`)
        // UPnP router: it also answers NAT-PMP, which is only the fallback. NAT-PMP router: it answers no UPnP search.
        assert.equal(mapped.protocol, protocol, `mapped by ${name}`)
        const to = (mapped.addrs as string[]).find(a => a.startsWith(`/ip4/${UPNP_EXTERNAL_IP}/tcp/`))
        assert.ok(to != null, `the mapped address is the router's external address: ${JSON.stringify(mapped)}`)
        const own = (mapped.directAddrs as string[]).map(a => a.replace(/\/p2p\/[^/]+$/, ''))
        assert.ok(own.includes(to.replace(/\/p2p\/[^/]+$/, '')), `the node's own addresses (identify announces them) include it: ${JSON.stringify(own)}`)
        const port = Number(to.split('/')[4])
        if (protocol === 'nat-pmp') {
          assert.match(gateway.log(), new RegExp(`NAT-PMP port mapping request : ${port}->10\\.99\\.2\\.2:\\d+ tcp lifetime=7200s`), `the request asked for 7200 s in seconds${diagnostics}`)
          assert.doesNotMatch(gateway.log(), /HTTP listening/, 'the router ran no UPnP-IGD')
        }
        assert.equal((await gateway.forwards()).filter(r => r.includes(`dport ${port} `)).length, 1, 'the router forwards that port')
        assert.equal((await gateway.leases()).filter(l => l.startsWith(`TCP:${port}:10.99.2.2:`)).length, 1, 'the router records the lease for the receiver')

        sender = ferry(['send', '--data-dir', join(dir, protocol, 'tx'), '--to', to, join(dir, 'src', 'payload.bin')], net, { netns: cell.sender })
        const connected = await sender.waitFor('connected', 30_000)
        console.log(`# ${name} cell: mapped ${to.split('/p2p/')[0] ?? to} ${mappedAfterMs} ms after ready; sender behind a symmetric NAT connected over ${String(connected.transport)} in ${String(connected.connectMs)} ms (relayed: ${String(connected.relayed)})`)
        assert.equal(connected.transport, 'tcp', 'the sender connects over TCP')
        assert.equal(connected.relayed, false, 'directly: no relay carries it')
        assert.equal(connected.limited, false)
        assert.ok(String(connected.remoteAddr).startsWith(`/ip4/${UPNP_EXTERNAL_IP}/tcp/${port}`), `to the mapped port: ${String(connected.remoteAddr)}`)
        assert.equal(await sender.exitCode(60_000), 0, `sender exit code\nsender: ${sender.stderr}`)
        assert.equal(await receiver.exitCode(30_000), 0, `receiver exit code\nreceiver: ${receiver.stderr}`)
        const sent = await treeHashes(join(dir, 'src'))
        const received = await treeHashes(join(dir, protocol, 'out'))
        assert.deepEqual([...received].sort(), [...sent].sort(), 'the file arrived byte-identical')

        assert.deepEqual(await gateway.forwards(), [], `the receiver removed its port forward when it exited${diagnostics}`)
        assert.deepEqual(await gateway.leases(), [], 'and the router holds no lease for it')
        if (protocol === 'nat-pmp') {
          assert.match(gateway.log(), /NAT-PMP port mapping request : 0->10\.99\.2\.2:\d+ tcp lifetime=0s/, 'by a NAT-PMP deletion (lifetime 0, external port 0)')
          assert.match(gateway.log(), new RegExp(`NAT-PMP TCP port ${port} mapping removed`), 'which the router carried out')
        }
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
    }

    it('a receiver behind a UPnP router maps a port, a peer behind a symmetric NAT reaches it directly over TCP, and the mapping is removed at exit', async () => {
      await mapsAPort('upnp')
    })

    it('a receiver behind a router that speaks only NAT-PMP (RFC 6886) maps a port for 7200 s the same way, and deletes it at exit (lifetime 0)', async () => {
      await mapsAPort('nat-pmp')
    })

    it('a contact learns the mapped address through presence (identify over the relay) and then sends to it directly over TCP', async () => {
      const cell = await lab.buildCell({ name: 'UPnP router, contacts', a: 'symmetric', b: 'port-restricted', expect: 'direct' })
      const work = join(dir, 'contacts')
      let gateway: UpnpGateway | undefined
      const running: FerryProcess[] = []
      const start = (args: string[], env: NodeJS.ProcessEnv, netns: string): FerryProcess => {
        const p = ferry(args, env, { netns })
        running.push(p)
        return p
      }
      try {
        gateway = await startUpnpGateway(cell.routers.receiver, { wanIp: '203.0.113.12', lanSubnet: '10.99.2.0/24', otherRouters: [cell.routers.sender], dir: await mkdir(join(work, 'gateway'), { recursive: true }).then(() => join(work, 'gateway')) })
        const relay = await startRelay(join(work, 'relay'), { netns: lab.inet, listen: lab.relayListen })
        running.push(relay.relay)
        const net = { FERRY_RELAYS: relay.addr, FERRY_ICE_SERVERS: 'none' }
        // The receiver, behind the UPnP router: reachable through the relay, and its router maps a port.
        const receiver = start(['receive', '--data-dir', join(work, 'rx'), '--out', join(work, 'out'), '--yes'], { ...net, FERRY_UPNP: 'on' }, cell.receiver)
        const ready = await receiver.waitFor('ready', 30_000)
        const mapped = await receiver.waitFor('upnp', MAP_TIMEOUT_MS)
        assert.equal(mapped.upnp, 'mapped', `the router mapped a port\nminiupnpd: ${gateway.log().slice(-2000)}`)
        const invite = start(['invite', '--data-dir', join(work, 'rx'), '--name', 'Rita'], net, cell.receiver)
        const inviteText = String((await invite.waitFor('invite')).invite)
        // The sender, behind a symmetric NAT, adds the receiver from its invite (peer ID and relay: no direct address).
        const add = start(['contacts', 'add', inviteText, '--data-dir', join(work, 'tx')], net, cell.sender)
        assert.equal(await add.exitCode(), 0, add.stderr)
        // Its own `ferry receive` checks the contact's presence through the relay; identify tells it the addresses.
        const watcher = start(['receive', '--data-dir', join(work, 'tx'), '--out', join(work, 'tx-out')], net, cell.sender)
        await watcher.waitFor('presence', 60_000, e => e.peerId === ready.peerId && e.online === true)
        // Identify's answer is stored a moment after the ping that made the contact online: read the store until then.
        const mappedAddr = String((mapped.addrs as string[])[0])
        let stored: string[] = []
        for (const deadline = Date.now() + 20_000; !stored.includes(mappedAddr) && Date.now() < deadline;) {
          const list = start(['contacts', 'list', '--data-dir', join(work, 'tx')], net, cell.sender)
          assert.equal(await list.exitCode(), 0, list.stderr)
          stored = (list.events.find(e => e.event === 'contact' && e.peerId === ready.peerId)?.addrs ?? []) as string[]
        }
        assert.ok(stored.includes(mappedAddr), `the contact's stored addresses include the mapped one: ${JSON.stringify(stored)}`)
        assert.equal(stored.filter(a => !a.includes('/p2p-circuit'))[0], mappedAddr, 'the first direct address: public ones lead the bounded list')
        await watcher.stop()
        // Sending to the contact by peer ID dials its last known direct addresses first: the mapped port.
        const sender = start(['send', '--data-dir', join(work, 'tx'), '--to', String(ready.peerId), join(dir, 'src', 'payload.bin')], net, cell.sender)
        const route = await sender.waitFor('route', 30_000)
        const connected = await sender.waitFor('connected', 30_000)
        console.log(`# UPnP cell, contacts: the sender stored ${mappedAddr.split('/p2p/')[0] ?? mappedAddr} from presence; route ${String(route.via)}, ${String(connected.transport)} in ${String(connected.connectMs)} ms`)
        assert.equal(route.via, 'last-known')
        assert.equal(connected.transport, 'tcp')
        assert.equal(connected.relayed, false)
        assert.ok(String(connected.remoteAddr).startsWith(`/ip4/${UPNP_EXTERNAL_IP}/tcp/`), String(connected.remoteAddr))
        assert.equal(await sender.exitCode(60_000), 0, sender.stderr)
      } finally {
        await Promise.all(running.map(async p => {
          const kill = setTimeout(() => p.child.kill('SIGKILL'), 5000)
          await p.stop()
          clearTimeout(kill)
        }))
        await gateway?.stop()
        await cell.teardown()
      }
    })

    it('with no UPnP router on the LAN, ready comes at once and the status then says no-gateway', async () => {
      const cell = await lab.buildCell({ name: 'no UPnP router', a: 'port-restricted', b: 'port-restricted', expect: 'direct' })
      let receiver: FerryProcess | undefined
      try {
        const started = Date.now()
        receiver = ferry(['receive', '--data-dir', join(dir, 'rx-none'), '--out', join(dir, 'out-none'), '--yes'],
          { FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none', FERRY_UPNP: 'on' }, { netns: cell.receiver })
        const ready = await receiver.waitFor('ready', 20_000)
        const readyMs = Date.now() - started
        assert.equal(ready.upnp, 'searching', 'ready does not wait for the gateway search')
        const status = await receiver.waitFor('upnp', MAP_TIMEOUT_MS)
        console.log(`# no UPnP router: ready after ${readyMs} ms (process start included); no-gateway after ${Date.now() - started} ms`)
        assert.equal(status.upnp, 'no-gateway')
        assert.deepEqual(status.addrs, [])
        assert.equal(receiver.child.exitCode, null, 'the receiver keeps running')
      } finally {
        if (receiver != null) {
          const kill = setTimeout(() => receiver?.child.kill('SIGKILL'), 5000)
          await receiver.stop()
          clearTimeout(kill)
        }
        await cell.teardown()
      }
    })
  })
}
