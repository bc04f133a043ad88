/**
 * Invariants: a declined offer writes nothing and the sender exits non-zero with a message that says so (the receiver
 * keeps no history of an offer it never accepted from a peer that is not a contact); a sender
 * killed mid-transfer leaves the receiver with the transfer recorded as interrupted and no file under its final name.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { ferry, history, relayForSuite } from '../helpers/cli.ts'
import type { FerryProcess } from '../helpers/cli.ts'
import { listAll, randomFile } from '../helpers/files.ts'
import { mkdir } from 'node:fs/promises'

describe('offers that do not complete', () => {
  const suite = relayForSuite()

  before(async () => {
    await mkdir(join(suite.dir, 'src'))
    await randomFile(join(suite.dir, 'src', 'report.pdf'), 256 * 1024)
    await randomFile(join(suite.dir, 'src', 'large.bin'), 400 * 1024 * 1024)
  })

  async function startReceiver (name: string, extra: string[]): Promise<{ receiver: FerryProcess, to: string, out: string }> {
    const out = join(suite.dir, `${name}-out`)
    const receiver = ferry(['receive', '--relay', suite.relayAddr, '--data-dir', join(suite.dir, `${name}-rx`), '--out', out, '--once', ...extra])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to)
    return { receiver, to, out }
  }

  it('receiver declines: the sender exits non-zero saying it was declined, and nothing is written', async () => {
    const { receiver, to, out } = await startReceiver('decline', [])
    const sender = ferry(['send', '--relay', suite.relayAddr, '--to', to, '--data-dir', join(suite.dir, 'decline-tx'), join(suite.dir, 'src', 'report.pdf')])
    const offer = await receiver.waitFor('offer')
    assert.deepEqual(offer.files, [{ path: 'report.pdf', size: 256 * 1024 }])
    receiver.child.stdin?.write('n\n')
    const code = await sender.exitCode().catch((err: Error) => { throw new Error(`${err.message}; sender events ${JSON.stringify(sender.events)}; receiver events ${JSON.stringify(receiver.events.map(e => e.event))} ${receiver.stderr}`) })
    assert.notEqual(code, 0)
    const error = await sender.waitFor('error', 0)
    assert.equal(error.code, 'declined')
    assert.match(String(error.message), /declined/i)
    await receiver.exitCode()
    assert.deepEqual(await listAll(out), [])
    const [rx] = await history(join(suite.dir, 'decline-rx'))
    const [tx] = await history(join(suite.dir, 'decline-tx'))
    assert.equal(rx, undefined, 'the receiver keeps no record of a stranger\'s offer it did not accept')
    assert.equal(tx?.state, 'declined')
  })

  it('sender killed mid-transfer: the receiver records it as interrupted and no file appears under its final name', async () => {
    const { receiver, to, out } = await startReceiver('killed', ['--yes'])
    const sender = ferry(['send', '--relay', suite.relayAddr, '--to', to, '--data-dir', join(suite.dir, 'killed-tx'), join(suite.dir, 'src', 'large.bin')])
    await receiver.waitFor('progress', 30_000, e => (e.transferredBytes as number) > 4 * 1024 * 1024)
    await sender.stop('SIGKILL')
    const killedAt = Date.now()
    const code = await receiver.exitCode(60_000)
    const detectedMs = Date.now() - killedAt
    assert.equal(code, 1, 'with --once the receiver exits 1 after an interrupted transfer')
    const error = await receiver.waitFor('error', 0)
    assert.equal(error.code, 'interrupted', JSON.stringify(error))
    const entries = await listAll(out)
    assert.ok(!entries.includes('large.bin'), `no final file: ${entries.join(', ')}`)
    assert.ok(entries.length > 0 && entries.every(e => e === '.ferry-partial' || (e.startsWith('.ferry-partial/') && e.endsWith('.part'))), `only a hidden partial file remains: ${entries.join(', ')}`)
    const [rx] = await history(join(suite.dir, 'killed-rx'))
    assert.equal(rx?.state, 'interrupted')
    assert.ok((rx?.transferredBytes as number) > 0, 'progress was persisted while the transfer ran')
    console.log(`# receiver noticed the killed sender after ${detectedMs} ms`)
  })
})
