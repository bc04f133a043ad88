/**
 * Attack: a stranger sends an offer, and while the offer waits for the person it streams valid control frames as fast
 * as the connection carries them, to make the receiver queue them until it runs out of memory (only data frames used
 * to be capped). Invariant: the sender may send nothing between its offer and the receiver's answer but an `error`
 * (docs/PROTOCOL.md §5): the receiver ends the stream with `protocol-error` at the first other frame, and its memory
 * grows by at most 64 MiB under the flood.
 *
 * The victim is the real `ferry receive` in its own process (asking on stdin, which the test never answers), so the
 * resident set measured (`/proc/<pid>/status`, VmRSS) is the victim's alone.
 */
import assert from 'node:assert/strict'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { ferry, stopAll } from '../helpers/cli.ts'
import type { FerryProcess } from '../helpers/cli.ts'
import { offerOf, startAttacker } from './malicious-peer.ts'
import type { Attacker } from './malicious-peer.ts'

/** The bound: memory the flood may add to the victim, in bytes. */
const MAX_GROWTH_BYTES = 64 * 1024 * 1024
/** How much the attacker tries to send (at most), and for how long, if the victim never stops it. */
const FLOOD_BYTES = 1024 * 1024 * 1024
const FLOOD_MS = 12_000

/** Resident set of process `pid`, in bytes. */
async function rssOf (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
  if (kib == null) throw new Error(`no VmRSS for ${pid}`)
  return Number(kib) * 1024
}

/** 1 MiB of valid control frames (`block` messages), ready to send as they are. */
function floodChunk (): Uint8Array {
  const message = new TextEncoder().encode(JSON.stringify({ type: 'block', index: 0, offset: 0, sha256: 'a'.repeat(64) }))
  const frame = new Uint8Array(5 + message.byteLength)
  frame[0] = 0x01
  new DataView(frame.buffer).setUint32(1, message.byteLength)
  frame.set(message, 5)
  const count = Math.floor(1024 * 1024 / frame.byteLength)
  const chunk = new Uint8Array(count * frame.byteLength)
  for (let i = 0; i < count; i++) chunk.set(frame, i * frame.byteLength)
  return chunk
}

describe('hostile peer: a flood of control frames while its offer waits for the person', { skip: process.platform !== 'linux' }, () => {
  let root: string
  let victim: FerryProcess
  let attacker: Attacker

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-flood-'))
    victim = ferry(['receive', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--data-dir', join(root, 'data'), '--out', join(root, 'downloads')])
    attacker = await startAttacker()
  })
  after(async () => {
    await attacker?.stop()
    await stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('the stream is ended with protocol-error and the victim grows by at most 64 MiB', async () => {
    const ready = await victim.waitFor('ready')
    const addr = (ready.addrs as string[]).find(a => a.includes('/tcp/'))
    assert.ok(addr != null, JSON.stringify(ready))
    const pid = victim.child.pid as number
    const s = await attacker.open(multiaddr(addr.includes('/p2p/') ? addr : `${addr}/p2p/${String(ready.peerId)}`))
    s.control(offerOf([{ path: 'bait.txt', size: 10 }]))
    await victim.waitFor('offer')
    await new Promise(resolve => setTimeout(resolve, 500))
    const before = await rssOf(pid)
    let peak = before
    const sampler = setInterval(() => { void rssOf(pid).then(r => { peak = Math.max(peak, r) }, () => {}) }, 50)

    // The victim's answer, read while flooding; the attacker ignores it and floods on until the stream is gone.
    let answer: string | undefined
    const answered = s.nextControl(FLOOD_MS + 10_000).then(m => { answer = m.type === 'error' || m.type === 'reject' ? `${m.type} ${m.code}` : m.type }, (err: Error) => { answer = `ended: ${err.message}` })
    const chunk = floodChunk()
    const stream = s.channel.stream
    const started = Date.now()
    let sent = 0
    try {
      while (sent < FLOOD_BYTES && Date.now() - started < FLOOD_MS && stream.status === 'open' && stream.writeStatus === 'writable') {
        if (stream.writableNeedsDrain) await stream.onDrain({ signal: AbortSignal.timeout(5000) })
        stream.send(chunk)
        sent += chunk.byteLength
        await new Promise(resolve => setImmediate(resolve))
      }
    } catch {
      // the victim reset the stream or closed the connection: the flood is over
    }
    const floodMs = Date.now() - started
    await Promise.race([answered, new Promise(resolve => setTimeout(resolve, 5000))])
    await new Promise(resolve => setTimeout(resolve, 1000))
    clearInterval(sampler)
    peak = Math.max(peak, await rssOf(pid))
    const growth = peak - before
    const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`
    console.log(`flood: sent ${mib(sent)} in ${floodMs} ms; victim RSS ${mib(before)} → peak ${mib(peak)} (growth ${mib(growth)}); answer: ${answer ?? 'none'}`)
    assert.ok(growth <= MAX_GROWTH_BYTES, `the victim grew by ${mib(growth)} under the flood (bound ${mib(MAX_GROWTH_BYTES)})`)
    assert.equal(answer, 'error protocol-error')
    assert.equal(victim.exitedAt, undefined, `the victim exited: ${victim.stderr}`)
  })
})
