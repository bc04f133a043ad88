/**
 * Invariant: the router port mapping's status follows what the UPnP module's calls to its client return — `searching`
 * until the first gateway search ends, `no-gateway` when none answered, `mapped` (with the external address) once the
 * gateway mapped a port, `failed` with a typed problem when the gateway answered but mapped nothing (no external
 * address, an external address that is itself private: double NAT, or a refused mapping), `off` after stop, the
 * protocol of the gateway that mapped (`upnp` or `nat-pmp`; NAT-PMP's refusal to map another interface's address is
 * no failure) — and the switch is off unless `FERRY_UPNP` or the flag leaves it on. A stand-in client: no SSDP or
 * NAT-PMP is sent.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { UPnPNATClient } from '@libp2p/upnp-nat'
import { readEnvironment, upnpEnabled } from '../../src-main/app/environment.ts'
import { publicFirst } from '../../src-main/core/contacts/route.ts'
import { isReservedIPv4, PortMapping } from '../../src-main/core/node/index.ts'
import { openNatPmpGateway } from '../../src-main/core/node/nat-pmp/index.ts'
import type { NatPmpError } from '../../src-main/core/node/nat-pmp/index.ts'

type Gateway = UPnPNATClient extends { findGateways: (...args: never[]) => AsyncGenerator<infer G> } ? G : never

/** A gateway whose external address and mapping answer as told. */
function fakeGateway (answers: { externalIp?: string, refuse?: boolean }): Gateway {
  const externalIp = async (): Promise<string> => {
    if (answers.externalIp == null) throw new Error('no answer')
    return answers.externalIp
  }
  return {
    id: 'uuid:test', host: '10.0.0.1', port: 5000, family: 'IPv4',
    stop: async () => {},
    unmap: async () => {},
    // eslint-disable-next-line require-yield
    mapAll: async function* () { throw new Error('not used') },
    externalIp,
    map: async (internalPort: number, internalHost: string) => {
      if (answers.refuse === true) throw new Error('718 ConflictInMappingEntry')
      return { externalHost: await externalIp(), externalPort: internalPort + 1, internalHost, internalPort, protocol: 'TCP' as const }
    }
  }
}

/** A client whose searches yield `gateways` (none: the search ends empty). */
function fakeClient (gateways: Gateway[]): UPnPNATClient {
  return {
    findGateways: async function* () { yield* gateways },
    getGateway: async () => { throw new Error('not used') }
  }
}

/** Runs one search the way the module does and returns the gateways it yielded (as the module sees them). */
async function search (client: UPnPNATClient): Promise<Gateway[]> {
  const found: Gateway[] = []
  for await (const g of client.findGateways()) found.push(g)
  return found
}

const changed = async (tracker: PortMapping): Promise<void> => new Promise(resolve => tracker.once('change', resolve))

describe('router port mapping status', () => {
  it('is off when not asked for, searching until the first search ends, then no-gateway when none answered', async () => {
    assert.equal(new PortMapping(false).status, 'off')
    const tracker = new PortMapping(true)
    const client = fakeClient([])
    tracker.follow(client)
    assert.equal(tracker.status, 'searching')
    await search(client)
    assert.equal(tracker.status, 'no-gateway')
    assert.deepEqual(tracker.addrs, [])
  })

  it('tells the protocol: nat-pmp for a NAT-PMP gateway, whose refusal of another interface\'s address is no failure', async () => {
    // A NAT-PMP client towards a loopback address where nothing listens; its calls are stood in for (nothing is sent).
    const pmp = await openNatPmpGateway(`127.${1 + Math.floor(Math.random() * 250)}.7.1`)
    try {
      pmp.externalIp = async () => '11.0.113.12'
      const realMap = pmp.map.bind(pmp)
      pmp.map = async (internalPort, internalHost, options) => internalHost === pmp.internalHost
        ? { externalHost: '11.0.113.12', externalPort: internalPort, internalHost, internalPort, protocol: 'TCP' as const }
        : await realMap(internalPort, internalHost, options)
      const tracker = new PortMapping(true)
      const client = fakeClient([pmp])
      tracker.follow(client)
      const [gateway] = await search(client)
      assert.ok(gateway != null)
      await assert.rejects(gateway.map(4001, '172.17.0.1'), (err: NatPmpError) => err.problem === 'other-interface')
      assert.equal(tracker.status, 'searching', 'not failed')
      const mappedEvent = changed(tracker)
      await gateway.map(4001, pmp.internalHost)
      await mappedEvent
      assert.equal(tracker.status, 'mapped')
      assert.equal(tracker.protocol, 'nat-pmp')
      tracker.stop()
      assert.equal(tracker.protocol, undefined)
    } finally {
      pmp.close()
    }
  })

  it('is mapped with the external address once the gateway mapped the port, and off after stop', async () => {
    const tracker = new PortMapping(true)
    const client = fakeClient([fakeGateway({ externalIp: '11.0.113.12' })])
    tracker.follow(client)
    const [gateway] = await search(client)
    assert.ok(gateway != null)
    const mappedEvent = changed(tracker)
    await gateway.map(4001, '192.168.1.20', { protocol: 'TCP' })
    await mappedEvent
    assert.equal(tracker.status, 'mapped')
    assert.equal(tracker.protocol, 'upnp')
    assert.deepEqual(tracker.addrs, ['/ip4/11.0.113.12/tcp/4002'])
    // A later search that finds nothing new does not undo it.
    await search(fakeClient([]))
    assert.equal(tracker.status, 'mapped')
    tracker.stop()
    assert.equal(tracker.status, 'off')
    assert.deepEqual(tracker.addrs, [])
  })

  for (const [name, answers, problem] of [
    ['gives no external address', {}, 'no-external-address'],
    ['is itself behind another NAT (private external address)', { externalIp: '100.64.3.4' }, 'double-nat'],
    ['refuses the mapping', { externalIp: '11.0.113.12', refuse: true }, 'refused']
  ] as const) {
    it(`is failed (${problem}) when the gateway ${name}`, async () => {
      const tracker = new PortMapping(true)
      const client = fakeClient([fakeGateway(answers)])
      tracker.follow(client)
      const [gateway] = await search(client)
      assert.ok(gateway != null)
      // The module first asks for the external address, then maps (each failure is caught by the module).
      const ip = await gateway.externalIp().catch(() => undefined)
      if (ip != null && !isReservedIPv4(ip)) await gateway.map(4001, '192.168.1.20').catch(() => {})
      assert.equal(tracker.status, 'failed')
      assert.equal(tracker.problem, problem)
      assert.deepEqual(tracker.addrs, [])
    })
  }

  it('tells reserved IPv4 ranges (double NAT) from public addresses', () => {
    for (const ip of ['10.1.2.3', '172.31.0.1', '192.168.0.1', '100.64.0.1', '100.127.255.255', '203.0.113.7', '198.51.100.1', '169.254.1.1', '127.0.0.1', '0.0.0.0', '255.255.255.255']) {
      assert.equal(isReservedIPv4(ip), true, ip)
    }
    for (const ip of ['11.0.113.12', '100.128.0.1', '8.8.8.8', '172.32.0.1', '192.169.0.1', '::1', 'not an ip', '1.2.3.256']) {
      assert.equal(isReservedIPv4(ip), false, ip)
    }
  })

  it('a contact\'s announced addresses keep a mapped public one first, so the bounded list never drops it', () => {
    const lan = Array.from({ length: 9 }, (_, i) => `/ip4/10.0.${i}.2/tcp/4001`)
    const mapped = '/ip4/11.0.113.12/tcp/4002'
    const ordered = publicFirst([...lan, '/ip6/::1/tcp/4001', mapped])
    assert.equal(ordered[0], mapped)
    assert.deepEqual(ordered.slice(1), [...lan, '/ip6/::1/tcp/4001'], 'the others keep their order')
  })

  it('is on unless FERRY_UPNP or the --no-upnp flag turns it off', () => {
    assert.equal(upnpEnabled(undefined, readEnvironment({})), true)
    assert.equal(upnpEnabled(false, readEnvironment({})), false)
    for (const off of ['off', 'OFF', '0', 'false', 'no']) assert.equal(upnpEnabled(undefined, readEnvironment({ FERRY_UPNP: off })), false, off)
    assert.equal(upnpEnabled(undefined, readEnvironment({ FERRY_UPNP: 'on' })), true)
  })
})
