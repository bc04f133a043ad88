/**
 * Invariants of `ferry send` with several `--to` and with `--limit-rate`:
 * - one run sends to every recipient at once, a transfer each: a recipient that declines and one that is offline fail
 *   their own sends only — the one that accepted gets byte-identical files; the run exits non-zero, and every JSON
 *   event names its `recipient`;
 * - `--limit-rate <MiB/s>` holds a 64 MiB send to within 10 % of the limit (measured over loopback TCP, where the
 *   link itself is much faster), and holds two sends of one run to the limit together, not each.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { ferry, history, relayForSuite } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { randomFile } from '../helpers/files.ts'
import { fileSha256 } from '../helpers/peers.ts'

const LIMIT_MIBPS = 16
const MiB = 1024 * 1024

describe('ferry send: several recipients, and --limit-rate', () => {
  const suite = relayForSuite()

  before(async () => {
    await mkdir(join(suite.dir, 'src'))
    await randomFile(join(suite.dir, 'src', 'report.pdf'), 3 * MiB + 123)
    await randomFile(join(suite.dir, 'src', 'big.bin'), 64 * MiB)
    await randomFile(join(suite.dir, 'src', 'half.bin'), 32 * MiB)
  })

  /** A receiver listening on loopback TCP; `to` is its direct address. */
  async function startReceiver (name: string, extra: string[]): Promise<{ receiver: FerryProcess, to: string, peerId: string, out: string }> {
    const out = join(suite.dir, `${name}-out`)
    const receiver = ferry(['receive', '--relay', suite.relayAddr, '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', join(suite.dir, `${name}-rx`), '--out', out, '--once', ...extra])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.startsWith('/ip4/127.0.0.1/tcp/') && !a.includes('p2p-circuit'))
    assert.ok(to, JSON.stringify(ready.addrs))
    return { receiver, to, peerId: String(ready.peerId), out }
  }

  it('a declining and an offline recipient fail only their own sends; the one that accepted has the file, verified', async () => {
    const yes = await startReceiver('yes', ['--yes'])
    const no = await startReceiver('no', [])
    const gone = await startReceiver('gone', ['--yes'])
    await gone.receiver.stop()
    const source = join(suite.dir, 'src', 'report.pdf')
    const sender = ferry(['send', '--relay', suite.relayAddr, '--retry-for', '0', '--to', yes.to, '--to', no.to, '--to', gone.to, '--data-dir', join(suite.dir, 'many-tx'), source])
    await no.receiver.waitFor('offer')
    no.receiver.child.stdin?.write('n\n')
    assert.equal(await sender.exitCode(90_000), 1, sender.stderr)
    const byRecipient = (name: string, to: string): Event | undefined => sender.events.find(e => e.event === name && e.recipient === to)
    assert.equal(byRecipient('complete', yes.to)?.peerId, yes.peerId)
    assert.equal(byRecipient('error', no.to)?.code, 'declined')
    assert.ok(byRecipient('error', gone.to) != null, 'the offline recipient gets an error of its own')
    assert.equal(byRecipient('complete', no.to), undefined)
    assert.ok(sender.events.filter(e => e.event !== 'summary' && e.event !== 'skipped').every(e => typeof e.recipient === 'string'), 'every event names its recipient')
    assert.deepEqual((await sender.waitFor('summary', 0)), { event: 'summary', sent: 1, failed: 2 })
    await yes.receiver.exitCode()
    assert.equal(await fileSha256(join(yes.out, 'report.pdf')), await fileSha256(source))
    const rows = await history(join(suite.dir, 'many-tx'))
    assert.deepEqual(rows.filter(r => r.peerId === yes.peerId).map(r => r.state), ['completed'])
    assert.deepEqual(rows.filter(r => r.peerId === no.peerId).map(r => r.state), ['declined'])
    await no.receiver.exitCode()
  })

  it(`--limit-rate ${LIMIT_MIBPS} holds a 64 MiB send within 10 % of ${LIMIT_MIBPS} MiB/s`, async () => {
    const rx = await startReceiver('rate', ['--yes'])
    const source = join(suite.dir, 'src', 'big.bin')
    const sender = ferry(['send', '--to', rx.to, '--limit-rate', String(LIMIT_MIBPS), '--data-dir', join(suite.dir, 'rate-tx'), source])
    assert.equal(await sender.exitCode(120_000), 0, sender.stderr)
    const done = await sender.waitFor('complete', 0)
    const mibps = Number(done.totalBytes) / MiB / (Number(done.transferMs) / 1000)
    console.log(`# --limit-rate ${LIMIT_MIBPS}: 64 MiB in ${String(done.transferMs)} ms = ${mibps.toFixed(2)} MiB/s`)
    assert.ok(Math.abs(mibps - LIMIT_MIBPS) <= LIMIT_MIBPS * 0.1, `measured ${mibps.toFixed(2)} MiB/s`)
    await rx.receiver.exitCode()
    assert.equal(await fileSha256(join(rx.out, 'big.bin')), await fileSha256(source))
  })

  it(`--limit-rate ${LIMIT_MIBPS} with two recipients holds both sends together to the limit`, async () => {
    const a = await startReceiver('rate-a', ['--yes'])
    const b = await startReceiver('rate-b', ['--yes'])
    const source = join(suite.dir, 'src', 'half.bin')
    const started = Date.now()
    const sender = ferry(['send', '--to', a.to, '--to', b.to, '--limit-rate', String(LIMIT_MIBPS), '--data-dir', join(suite.dir, 'rate2-tx'), source])
    assert.equal(await sender.exitCode(120_000), 0, sender.stderr)
    const done = sender.events.filter(e => e.event === 'complete')
    assert.equal(done.length, 2)
    // Both ran at once: their rates add up to the limit (each alone would take all of it).
    const total = done.reduce((n, e) => n + Number(e.totalBytes) / MiB / (Number(e.transferMs) / 1000), 0)
    console.log(`# --limit-rate ${LIMIT_MIBPS}, two recipients of 32 MiB: ${total.toFixed(2)} MiB/s together, run ${Date.now() - started} ms`)
    assert.ok(total <= LIMIT_MIBPS * 1.1 && total >= LIMIT_MIBPS * 0.8, `measured ${total.toFixed(2)} MiB/s together`)
    await Promise.all([a.receiver.exitCode(), b.receiver.exitCode()])
    for (const rx of [a, b]) assert.equal(await fileSha256(join(rx.out, 'half.bin')), await fileSha256(source))
  })
})
