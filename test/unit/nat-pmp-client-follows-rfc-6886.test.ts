/**
 * Invariant: Ferry's NAT-PMP client speaks RFC 6886 to a gateway and survives a hostile LAN: it asks for the external
 * address and a TCP mapping of 7200 s (in seconds), retransmits a request the gateway did not answer (§3.1: after
 * 250 ms, then doubling) and gives up with `no-answer` after its attempts; it ignores datagrams that are too short,
 * answer another opcode or come from another address, turns a result code into a typed problem, renews a mapping
 * halfway to the lifetime the gateway granted (§3.3), and deletes it at stop (lifetime 0 and external port 0, §3.4). As
 * the fallback of a UPnP search, the gateway is handed over only when no UPnP-IGD answered.
 *
 * A stand-in gateway on a random loopback address, port 5351: nothing leaves the machine.
 */
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import type { RemoteInfo, Socket } from 'node:dgram'
import { after, before, describe, it } from 'node:test'
import { NatPmpError, NatPmpGateway, openNatPmpGateway, withNatPmpFallback } from '../../src-main/core/node/nat-pmp/index.ts'
import type { Gateway } from '../../src-main/core/node/nat-pmp/index.ts'

const EXTERNAL = [11, 0, 113, 12]

/** A NAT-PMP gateway stand-in: records each request; `answer` says what to send back (nothing: drop it). */
class FakeGateway {
  readonly requests: Array<{ at: number, msg: Buffer }> = []
  answer: (msg: Buffer, rinfo: RemoteInfo) => Buffer[] = msg => [ok(msg)]
  readonly host = `127.${rnd()}.${rnd()}.${rnd()}`
  readonly socket: Socket = createSocket('udp4')

  async start (): Promise<void> {
    this.socket.on('message', (msg, rinfo) => {
      this.requests.push({ at: Date.now(), msg })
      for (const reply of this.answer(msg, rinfo)) this.socket.send(reply, rinfo.port, rinfo.address)
    })
    await new Promise<void>(resolve => this.socket.bind(5351, this.host, resolve))
  }
}

function rnd (): number {
  return 1 + Math.floor(Math.random() * 250)
}

/** A success response to `req` (RFC 6886 §3.2, §3.3), granting `lifetimeS` and external port `externalPort`. */
function ok (req: Buffer, lifetimeS?: number, externalPort?: number): Buffer {
  const op = req[1] ?? 0
  if (op === 0) return Buffer.from([0, 128, 0, 0, 0, 0, 0, 9, ...EXTERNAL])
  const res = Buffer.alloc(16)
  res.writeUInt8(op + 128, 1)
  res.writeUInt32BE(9, 4)
  res.writeUInt16BE(req.readUInt16BE(4), 8)
  res.writeUInt16BE(externalPort ?? req.readUInt16BE(6), 10)
  res.writeUInt32BE(lifetimeS ?? req.readUInt32BE(8), 12)
  return res
}

describe('NAT-PMP client (RFC 6886)', () => {
  const fake = new FakeGateway()
  const opened: NatPmpGateway[] = []
  const open = async (): Promise<NatPmpGateway> => {
    const g = await openNatPmpGateway(fake.host)
    opened.push(g)
    return g
  }
  before(async () => { await fake.start() })
  after(() => {
    for (const g of opened) g.close()
    fake.socket.close()
  })

  it('asks for the external address and maps TCP for 7200 s, then deletes the mapping at stop with lifetime 0 and port 0', async () => {
    fake.requests.length = 0
    fake.answer = msg => [ok(msg)]
    const gateway = await open()
    assert.equal(await gateway.externalIp(), '11.0.113.12')
    const mapping = await gateway.map(40000, gateway.internalHost, { protocol: 'TCP' })
    assert.deepEqual({ ...mapping }, { externalHost: '11.0.113.12', externalPort: 40000, internalHost: gateway.internalHost, internalPort: 40000, protocol: 'TCP' })
    const mapReq = fake.requests.find(r => r.msg[1] === 2)?.msg
    assert.ok(mapReq != null)
    assert.deepEqual([mapReq.length, mapReq.readUInt16BE(4), mapReq.readUInt16BE(6), mapReq.readUInt32BE(8)], [12, 40000, 40000, 7200])
    await gateway.stop({ signal: AbortSignal.timeout(1000) })
    const del = fake.requests.at(-1)?.msg
    assert.ok(del != null)
    assert.deepEqual([del[1], del.readUInt16BE(4), del.readUInt16BE(6), del.readUInt32BE(8)], [2, 40000, 0, 0])
  })

  it('refuses to map for another host than its own address towards the gateway (NAT-PMP maps the sender only)', async () => {
    const gateway = await open()
    await assert.rejects(gateway.map(40001, '10.9.9.9'), (err: NatPmpError) => err instanceof NatPmpError && err.problem === 'other-interface')
  })

  it('retransmits after 250 ms and 500 ms when the gateway drops requests, and gives up with no-answer after 4 attempts', async () => {
    fake.requests.length = 0
    let n = 0
    fake.answer = msg => ++n < 3 ? [] : [ok(msg)]
    const gateway = await open()
    assert.equal(await gateway.externalIp(), '11.0.113.12')
    const gaps = fake.requests.slice(1).map((r, i) => r.at - (fake.requests[i]?.at ?? 0))
    assert.equal(fake.requests.length, 3, 'answered on the third attempt')
    assert.ok((gaps[0] ?? 0) >= 200 && (gaps[1] ?? 0) >= 450, `waits doubled from 250 ms: ${JSON.stringify(gaps)}`)
    fake.requests.length = 0
    fake.answer = () => []
    await assert.rejects(gateway.externalIp(), (err: NatPmpError) => err instanceof NatPmpError && err.problem === 'no-answer')
    assert.equal(fake.requests.length, 4)
  })

  it('ignores short datagrams, other opcodes and other senders, and keeps waiting for the real answer', async () => {
    const spoofer = createSocket('udp4')
    await new Promise<void>(resolve => spoofer.bind(0, fake.host, resolve))
    try {
      fake.answer = (msg, rinfo) => {
        // A forged answer from another port of the same host arrives first: the connected socket never sees it.
        spoofer.send(Buffer.from([0, 128, 0, 0, 0, 0, 0, 1, 6, 6, 6, 6]), rinfo.port, rinfo.address)
        return [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0, 129, 0]), Buffer.from([1, 128, 0, 0]), ok(msg)]
      }
      const gateway = await open()
      assert.equal(await gateway.externalIp(), '11.0.113.12')
    } finally {
      spoofer.close()
    }
  })

  it('turns a result code into a typed problem, and a truncated answer into malformed', async () => {
    fake.answer = msg => [Buffer.from([0, (msg[1] ?? 0) + 128, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])]
    const gateway = await open()
    await assert.rejects(gateway.map(40002, gateway.internalHost), (err: NatPmpError) => err.problem === 'not-authorized' && err.code === 'port-mapping-failed')
    fake.answer = msg => [ok(msg).subarray(0, 10)]
    await assert.rejects(gateway.map(40002, gateway.internalHost), (err: NatPmpError) => err.problem === 'malformed')
  })

  it('renews a mapping halfway to the lifetime the gateway granted, asking for the same external port', async () => {
    fake.requests.length = 0
    fake.answer = msg => [ok(msg, msg[1] === 2 ? 2 : undefined, msg[1] === 2 ? 41999 : undefined)]
    const gateway = await open()
    const mapping = await gateway.map(40003, gateway.internalHost)
    assert.equal(mapping.externalPort, 41999, 'the port the gateway chose')
    const mappedAt = Date.now()
    const deadline = Date.now() + 5000
    while (fake.requests.filter(r => r.msg[1] === 2).length < 2 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    const renewal = fake.requests.filter(r => r.msg[1] === 2)[1]
    assert.ok(renewal != null, 'a renewal came')
    const after = renewal.at - mappedAt
    assert.ok(after >= 800 && after < 2000, `halfway to the 2 s lifetime: ${after} ms`)
    assert.equal(renewal.msg.readUInt16BE(6), 41999)
    await gateway.stop()
  })

  it('bounds what the gateway grants: a lifetime of 0 is no mapping, and a lifetime of 2^32-1 s is renewed as 7200 s (not at once)', async () => {
    fake.requests.length = 0
    fake.answer = msg => [ok(msg, msg[1] === 2 ? 0 : undefined)]
    const gateway = await open()
    await assert.rejects(gateway.map(40004, gateway.internalHost), (err: NatPmpError) => err.problem === 'malformed')
    fake.answer = msg => [ok(msg, msg[1] === 2 ? 0xffffffff : undefined)]
    await gateway.map(40005, gateway.internalHost)
    const maps = fake.requests.filter(r => r.msg[1] === 2).length
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(fake.requests.filter(r => r.msg[1] === 2).length, maps, 'no renewal storm')
    await gateway.stop()
  })

  it('as the fallback of a UPnP search: handed over only when no UPnP-IGD gateway answered', async () => {
    fake.answer = msg => [ok(msg)]
    const none = async function* (): AsyncGenerator<Gateway, void, unknown> {}
    const found: Gateway[] = []
    for await (const g of withNatPmpFallback(none, { findGateway: async () => fake.host })()) found.push(g)
    assert.equal(found.length, 1)
    assert.ok(found[0] instanceof NatPmpGateway)
    opened.push(found[0])
    const upnp = { id: 'uuid:igd' } as unknown as Gateway
    const one = async function* (): AsyncGenerator<Gateway, void, unknown> { yield upnp }
    const withUpnp: Gateway[] = []
    for await (const g of withNatPmpFallback(one, { findGateway: async () => fake.host })()) withUpnp.push(g)
    assert.deepEqual(withUpnp, [upnp])
    const noRoute: Gateway[] = []
    for await (const g of withNatPmpFallback(none, { findGateway: async () => undefined })()) noRoute.push(g)
    assert.deepEqual(noRoute, [])
  })
})
