/**
 * Attack: a peer already connected to `ferry receive --yes` keeps sending after the person blocks it with
 * `ferry contacts block` (another process, the same SQLite database): the connection gater runs only when a
 * connection opens. Invariant: once a peer is blocked, its running transfer is ended, its connections are closed,
 * and no new offer of it is accepted — checked at offer time too, not only at connect.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { ferry, history, stopAll } from '../helpers/cli.ts'
import type { FerryProcess } from '../helpers/cli.ts'
import { eventually, offerOf, sendHonestFile, startAttacker } from './malicious-peer.ts'
import type { Attacker } from './malicious-peer.ts'

/** How long the victim may take to end the blocked peer's running transfer and close its connection, ms. */
const CUT_OFF_WITHIN_MS = 10_000

async function run (args: string[]): Promise<void> {
  const p = ferry(args)
  assert.equal(await p.exitCode(), 0, p.stderr)
}

describe('hostile peer: blocked while already connected to `receive --yes`', () => {
  let root: string
  let dataDir: string
  let victim: FerryProcess
  let attacker: Attacker
  let addr: Multiaddr

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-blocked-'))
    dataDir = join(root, 'data')
    victim = ferry(['receive', '--yes', '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--data-dir', dataDir, '--out', join(root, 'downloads')])
    attacker = await startAttacker()
    const ready = await victim.waitFor('ready')
    const tcp = (ready.addrs as string[]).find(a => a.includes('/tcp/')) ?? ''
    addr = multiaddr(tcp.includes('/p2p/') ? tcp : `${tcp}/p2p/${String(ready.peerId)}`)
  })
  after(async () => {
    await attacker?.stop()
    await stopAll()
    await rm(root, { recursive: true, force: true })
  })

  it('its running transfer ends, its connection closes, and its next offer is not accepted', async () => {
    const attackerId = attacker.node.peerId.toString()
    // Connected and trusted enough: a first file arrives.
    const first = await attacker.open(addr)
    const content = randomBytes(1000)
    first.control(offerOf([{ path: 'first.txt', size: content.byteLength }]))
    assert.equal((await first.nextControl()).type, 'accept')
    sendHonestFile(first, 0, content)
    first.control({ type: 'done' })
    assert.equal((await first.nextControl()).type, 'complete')

    // A second transfer is running (slowly) when the person blocks the peer from another process.
    const running = await attacker.open(addr)
    running.control(offerOf([{ path: 'running.bin', size: 50_000_000 }]))
    assert.equal((await running.nextControl()).type, 'accept')
    running.control({ type: 'file-start', index: 0, offset: 0 })
    const feed = setInterval(() => { try { running.data(randomBytes(16_384)) } catch { clearInterval(feed) } }, 200)
    let runningEnded: number | undefined
    const runningAnswer = running.nextControl(CUT_OFF_WITHIN_MS + 20_000).then(m => `${m.type}${'code' in m ? ` ${m.code}` : ''}`, (err: Error) => `ended (${err.name})`)
      .finally(() => { runningEnded = Date.now() })
    await new Promise(resolve => setTimeout(resolve, 500))

    await run(['contacts', 'add', attackerId, '--name', 'Mallory', '--data-dir', dataDir])
    await run(['contacts', 'block', attackerId, '--data-dir', dataDir])
    const blockedAt = Date.now()

    // A new offer right away, on the connection that is still open or a new one: never accepted.
    const answer = await (async () => {
      let s
      try {
        s = await attacker.open(addr, { keepOthers: true })
      } catch (err) {
        return `refused (${(err as Error).name})`
      }
      try {
        s.control(offerOf([{ path: 'after-block.txt', size: 10 }]))
        const m = await s.nextControl(CUT_OFF_WITHIN_MS)
        return `${m.type}${'code' in m ? ` ${m.code}` : ''}`
      } catch (err) {
        return `ended (${(err as Error).name})` // the victim reset the stream or closed the connection
      }
    })()
    assert.notEqual(answer, 'accept', 'an offer after the block was accepted')

    const endedRunning = await runningAnswer
    clearInterval(feed)
    const cutOffMs = (runningEnded ?? Date.now()) - blockedAt
    console.log(`offer after the block: ${answer}; running transfer: ${endedRunning} after ${cutOffMs} ms`)
    assert.ok(cutOffMs <= CUT_OFF_WITHIN_MS, `the running transfer went on for ${cutOffMs} ms after the block`)
    const victimId = String((await victim.waitFor('ready')).peerId)
    const connected = (): number => attacker.node.getConnections().filter(c => c.remotePeer.toString() === victimId).length
    // A dial the attacker had in flight may come up for a moment: the victim's gater or its periodic check closes it.
    await eventually(() => connected() === 0, CUT_OFF_WITHIN_MS).catch(() => {})
    assert.equal(connected(), 0, 'the blocked peer is still connected')

    await victim.stop()
    const transfers = await history(dataDir)
    const paths = transfers.map(t => (t.files as Array<{ path: string }>)[0]?.path)
    assert.ok(!paths.includes('after-block.txt'), `an offer after the block was recorded: ${JSON.stringify(transfers.map(t => [t.state, t.files]))}`)
    const runningRecord = transfers.find(t => (t.files as Array<{ path: string }>)[0]?.path === 'running.bin')
    assert.notEqual(runningRecord?.state, 'transferring')
    assert.notEqual(runningRecord?.state, 'completed')
  })
})
