/**
 * Invariant: the network check reads a STUN server's answer correctly (RFC 5389 Binding, XOR-MAPPED-ADDRESS; the
 * RFC 5769 sample response), refuses malformed datagrams, asks every server from one UDP socket (retransmitting a lost
 * request), and names the NAT's mapping from two servers on two IPs (RFC 5780 §4.3): no NAT when the answer is this
 * host's own address and port, endpoint-independent when both saw the same, endpoint-dependent when they did not,
 * unknown with one server. A relay that answers is reserved on and pinged; one that does not is named unreachable.
 * Everything stays on loopback: stand-in STUN responders, coturn when installed, an in-process relay.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { Socket } from 'node:dgram'
import { access, constants } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import {
  checkNetwork, classifyMapping, decodeBindingResponse, encodeBindingRequest, newTransactionId,
  queryStunServers, StunDecodeError, stunServersOf
} from '../../src-main/core/netcheck/index.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { stunResponder as responder } from '../helpers/stun.ts'
import type { StunBehaviour as Behaviour } from '../helpers/stun.ts'

/** RFC 5769 §2.2: the sample IPv4 Binding success response (SOFTWARE, XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT). */
const RFC5769_IPV4_RESPONSE = Buffer.from(
  '0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220' +
  '002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96', 'hex')

describe('network check: STUN codec (RFC 5389)', () => {
  it('a Binding request is a 20-byte header: type 0x0001, length 0, the magic cookie, the transaction ID', () => {
    const id = newTransactionId()
    const msg = encodeBindingRequest(id)
    assert.equal(msg.length, 20)
    assert.equal(msg.readUInt16BE(0), 0x0001)
    assert.equal(msg.readUInt16BE(2), 0)
    assert.equal(msg.readUInt32BE(4), 0x2112A442)
    assert.deepEqual(msg.subarray(8), id)
  })

  it('the RFC 5769 sample response decodes to its XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    const r = decodeBindingResponse(RFC5769_IPV4_RESPONSE)
    assert.equal(r.kind, 'success')
    assert.equal(r.transactionId.toString('hex'), 'b7e7a701bc34d686fa87dfae')
    assert.deepEqual(r.mapped, { address: '192.0.2.1', port: 32853, family: 'IPv4' })
  })

  it('an IPv6 XOR-MAPPED-ADDRESS is XORed with the cookie and the transaction ID (RFC 5389 §15.2)', () => {
    // RFC 5769 §2.3's mapped address 2001:db8:1234:5678:11:2233:4455:6677 port 32853, XORed.
    const msg = Buffer.from('010100182112a442b7e7a701bc34d686fa87dfae' + '00200014' + '0002a147' + '0113a9faa5d3f179bc25f4b5bed2b9d9', 'hex')
    assert.deepEqual(decodeBindingResponse(msg).mapped, { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 'IPv6' })
  })

  it('a truncated, cookie-less, mis-sized or overrunning datagram is refused with StunDecodeError', () => {
    const bad = [
      RFC5769_IPV4_RESPONSE.subarray(0, 19),
      Buffer.concat([RFC5769_IPV4_RESPONSE.subarray(0, 4), Buffer.from('00000000', 'hex'), RFC5769_IPV4_RESPONSE.subarray(8)]),
      RFC5769_IPV4_RESPONSE.subarray(0, RFC5769_IPV4_RESPONSE.length - 4),
      Buffer.from('010100082112a442b7e7a701bc34d686fa87dfae' + '00200010' + '0001a147', 'hex'),
      encodeBindingRequest(newTransactionId())
    ]
    for (const msg of bad) assert.throws(() => decodeBindingResponse(msg), (err: Error) => err instanceof StunDecodeError && err.name === 'StunDecodeError')
  })

  it('the STUN servers of an ICE server list: stun: and UDP turn: URLs, credentials dropped, TCP and TLS left out', () => {
    assert.deepEqual(stunServersOf([
      'stun:203.0.113.1', 'turn:ferry:secret@203.0.113.2:3479?transport=udp', 'turn:u:p@203.0.113.3?transport=tcp',
      'turns:u:p@203.0.113.4:5349', 'stun:[2001:db8::1]:3478', 'stun:203.0.113.1:3478'
    ]), [
      { url: 'stun:203.0.113.1', host: '203.0.113.1', port: 3478 },
      { url: 'turn:203.0.113.2:3479?transport=udp', host: '203.0.113.2', port: 3479 },
      { url: 'stun:[2001:db8::1]:3478', host: '2001:db8::1', port: 3478 }
    ])
  })
})

describe('network check: mapping from one socket to two servers (RFC 5780 §4.3)', () => {
  const sockets: Socket[] = []
  after(() => { for (const s of sockets) s.close() })
  const serve = async (ip: string, behaviour: Behaviour): Promise<{ port: number, received: () => number }> => {
    const r = await responder(ip, behaviour)
    sockets.push(r.socket)
    return { port: r.port, received: () => r.received }
  }

  it('both servers see this host\'s own address and socket port: no NAT', async () => {
    const a = await serve('127.0.0.1', { kind: 'reflect' })
    const b = await serve('127.0.0.2', { kind: 'reflect' })
    const r = await queryStunServers([{ url: 'a', host: '127.0.0.1', port: a.port }, { url: 'b', host: '127.0.0.2', port: b.port }], { bind: { address: '127.0.0.1' } })
    assert.deepEqual(r.answers.map(x => x.mapped), [0, 1].map(() => ({ address: '127.0.0.1', port: r.local.port, family: 'IPv4' })))
    assert.ok(r.answers.every(x => typeof x.rttMs === 'number'))
    assert.equal(classifyMapping(r.answers, r.local.port, ['127.0.0.1']), 'no-nat')
  })

  it('the same translated address from both IPs is endpoint-independent; different ones are endpoint-dependent; one IP is unknown', async () => {
    const same = { kind: 'fixed', address: '198.51.100.7', port: 40000 } as const
    const a = await serve('127.0.0.1', same)
    const b = await serve('127.0.0.2', same)
    const c = await serve('127.0.0.3', { kind: 'fixed', address: '198.51.100.7', port: 40001 })
    const d = await serve('127.0.0.1', same)
    const ask = async (...servers: Array<[string, number]>): Promise<string> => {
      const r = await queryStunServers(servers.map(([host, port]) => ({ url: host, host, port })), { bind: { address: '127.0.0.1' } })
      return classifyMapping(r.answers, r.local.port, ['127.0.0.1'])
    }
    assert.equal(await ask(['127.0.0.1', a.port], ['127.0.0.2', b.port]), 'endpoint-independent')
    assert.equal(await ask(['127.0.0.1', a.port], ['127.0.0.3', c.port]), 'endpoint-dependent')
    assert.equal(await ask(['127.0.0.1', a.port]), 'unknown')
    assert.equal(await ask(['127.0.0.1', a.port], ['127.0.0.1', d.port]), 'unknown', 'two servers on one IP cannot tell the mapping')
  })

  it('a lost request is sent again after the RTO (500 ms) and answered; a silent server is no-answer within the timeout', async () => {
    const lossy = await serve('127.0.0.1', { kind: 'drop-first' })
    const silent = await serve('127.0.0.2', { kind: 'silent' })
    const started = Date.now()
    const r = await queryStunServers([{ url: 'lossy', host: '127.0.0.1', port: lossy.port }, { url: 'silent', host: '127.0.0.2', port: silent.port }], { timeoutMs: 1_200 })
    const elapsed = Date.now() - started
    assert.ok(r.answers[0]?.mapped != null, JSON.stringify(r.answers[0]))
    assert.ok((r.answers[0]?.rttMs ?? 0) >= 450, `answered after the retransmission: ${r.answers[0]?.rttMs} ms`)
    assert.equal(r.answers[1]?.problem, 'no-answer')
    assert.equal(silent.received(), 2, 'requests at 0 and 500 ms within a 1.2 s timeout (the next would be at 1.5 s)')
    assert.ok(elapsed < 3_000, `${elapsed} ms`)
  })
})

async function hasTool (tool: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin'])) {
    if (await access(join(dir, tool), constants.X_OK).then(() => true, () => false)) return true
  }
  return false
}

const coturn = await hasTool('turnserver')
describe('network check: against coturn on two loopback addresses', { skip: coturn ? false : 'coturn (turnserver) is not installed' }, () => {
  let dir: string
  let child: ReturnType<typeof spawn> | undefined
  const port = 20_000 + Math.floor(Math.random() * 20_000)

  before(async () => {
    dir = await tempDir('ferry-netcheck-coturn-')
    child = spawn('turnserver', ['-n', '--listening-ip', '127.0.0.1', '--listening-ip', '127.0.0.2', '--relay-ip', '127.0.0.1',
      '--listening-port', String(port), '--no-tls', '--no-dtls', '--no-cli', '--no-auth', '--min-port', '50000', '--max-port', '50100',
      '--userdb', join(dir, 'turndb'), '--pidfile', join(dir, 'turnserver.pid'), '--log-file', 'stdout', '--simple-log'],
    { stdio: 'ignore', detached: true })
    await sleep(300)
  })

  after(async () => {
    if (child?.pid != null) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
      await new Promise(resolve => { if (child?.exitCode != null || child?.signalCode != null) resolve(null); else child?.once('exit', resolve) })
    }
    await rm(dir, { recursive: true, force: true })
  })

  it('a real STUN server\'s answers from two IPs, asked from one socket, say no NAT on loopback', async () => {
    let r
    for (let i = 0; i < 20; i++) { // coturn needs a moment to listen
      r = await queryStunServers(stunServersOf([`stun:127.0.0.1:${port}`, `stun:127.0.0.2:${port}`]), { bind: { address: '127.0.0.1' }, timeoutMs: 1_000 })
      if (r.answers.every(a => a.mapped != null)) break
    }
    assert.ok(r != null)
    assert.deepEqual(r.answers.map(a => a.mapped?.port), [r.local.port, r.local.port], JSON.stringify(r.answers))
    assert.equal(classifyMapping(r.answers, r.local.port, ['127.0.0.1']), 'no-nat')
  })
})

describe('network check: relays', () => {
  let dir: string
  let net: TestNetwork

  before(async () => {
    dir = await tempDir('ferry-netcheck-')
    net = await TestNetwork.start(dir)
  })

  after(async () => {
    await net?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('a relay that answers is reserved on and pinged; one that does not is named unreachable; no STUN server: UDP not checked', async () => {
    const deadRelay = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWGzh1u5b4Nq7Gc9Y6E4qxvYGLhF5RS5YJxEeEYt1nqcmd'
    const report = await checkNetwork({ relays: [net.relayAddr, deadRelay], iceServers: [], relayTimeoutMs: 5_000 })
    const [live, dead] = report.relays
    assert.equal(live?.answered, true, JSON.stringify(live))
    assert.equal(live?.reservation, 'granted')
    assert.ok(typeof live?.pingMs === 'number' && typeof live.reserveMs === 'number', JSON.stringify(live))
    assert.equal(dead?.answered, false)
    assert.equal(dead?.problem, 'unreachable', JSON.stringify(dead))
    assert.equal(report.udp, 'not-checked')
    assert.equal(report.mapping, 'unknown')
    assert.equal(report.upnp.status, 'not-enabled')
    assert.equal(report.reach, 'unknown')
  })

  it('a check cancelled through its signal ends within a second with AbortedError, whatever is still waiting', async () => {
    const silent = await responder('127.0.0.2', { kind: 'silent' })
    // A relay address whose TCP port accepts and then says nothing: its dial would wait for the relay timeout.
    const mute = createServer(() => {})
    await new Promise<void>(resolve => mute.listen(0, '127.0.0.1', resolve))
    const port = (mute.address() as { port: number }).port
    try {
      const started = Date.now()
      await assert.rejects(checkNetwork({
        relays: [`/ip4/127.0.0.1/tcp/${port}/p2p/12D3KooWGzh1u5b4Nq7Gc9Y6E4qxvYGLhF5RS5YJxEeEYt1nqcmd`],
        iceServers: [`stun:127.0.0.2:${silent.port}`]
      }, { signal: AbortSignal.timeout(300) }), (err: Error) => err.name === 'AbortedError')
      const elapsed = Date.now() - started
      assert.ok(elapsed < 1_500, `${elapsed} ms`)
    } finally {
      silent.socket.close()
      mute.close()
    }
  })

  it('a configured STUN server that does not answer, with a relay that does: UDP blocked', async () => {
    const silent = await responder('127.0.0.2', { kind: 'silent' })
    try {
      const report = await checkNetwork({ relays: [net.relayAddr], iceServers: [`stun:127.0.0.2:${silent.port}`], stunTimeoutMs: 600, relayTimeoutMs: 5_000 })
      assert.equal(report.udp, 'blocked')
      assert.equal(report.reach, 'udp-blocked')
    } finally {
      silent.socket.close()
    }
  })
})
