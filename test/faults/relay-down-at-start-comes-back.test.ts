/**
 * Invariant: a relay that cannot be reached never keeps `ferry receive` from starting, and once the relay answers
 * again the receiver reserves there by itself — no restart — within the retry bound (`RESERVATION_RETRY_MAX_MS` plus
 * one try, under 30 s); a relay that restarts later is reserved on again the same way, and a sender reaches the
 * receiver through it. Relay, receiver and sender are separate `ferry` processes on loopback.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, startRelay, stopAll } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { randomFile, rm, tempDir } from '../helpers/files.ts'

/** The bound this test holds: a relay back up is reserved on within this long, ms. */
const RESERVED_AGAIN_WITHIN_MS = 30_000

describe('a relay that is down at start, then comes back', () => {
  let dir: string
  let relayAddr: string
  let receiver: FerryProcess
  let ready: Event
  let firstReservationMs: number
  let secondReservationMs: number
  let sentCode: number | string

  before(async () => {
    dir = await tempDir()
    await mkdir(join(dir, 'src'))
    await randomFile(join(dir, 'src', 'a.bin'), 3 * 1024 * 1024)
    // Learn the relay's address (its key is kept in its data folder), then take it down before the receiver starts.
    const first = await startRelay(join(dir, 'relay'))
    relayAddr = first.addr
    await first.relay.stop('SIGKILL')
    const port = /\/tcp\/(\d+)\//.exec(relayAddr)?.[1] ?? ''

    receiver = ferry(['receive', '--relay', relayAddr, '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out'), '--yes'])
    ready = await receiver.waitFor('ready', 20_000)

    let upAt = Date.now()
    const second = await startRelay(join(dir, 'relay'), { listen: `/ip4/127.0.0.1/tcp/${port}` })
    assert.equal(second.addr, relayAddr, 'the relay came back at the same address')
    await receiver.waitFor('relay', RESERVED_AGAIN_WITHIN_MS + 5_000, e => e.relayStatus === 'reserved')
    firstReservationMs = Date.now() - upAt

    // The relay restarts while the receiver runs: the reservation is lost and made again.
    await second.relay.stop('SIGKILL')
    await receiver.waitFor('relay', 20_000, e => e.relayStatus !== 'reserved')
    upAt = Date.now()
    await startRelay(join(dir, 'relay'), { listen: `/ip4/127.0.0.1/tcp/${port}` })
    const again = await receiver.waitFor('relay', RESERVED_AGAIN_WITHIN_MS + 5_000, e => e.relayStatus === 'reserved' && receiver.events.filter(x => x.event === 'relay' && x.relayStatus === 'reserved').length >= 2)
    secondReservationMs = Date.now() - upAt

    const to = (again.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to, JSON.stringify(again))
    const sender = ferry(['send', '--relay', relayAddr, '--to', to, '--data-dir', join(dir, 'tx'), join(dir, 'src', 'a.bin')])
    sentCode = await sender.exitCode(60_000)
  })

  after(async () => {
    await stopAll()
    await rm(dir, { recursive: true, force: true })
  })

  it('the receiver starts without its relay and says the relay is unreachable, in words', () => {
    assert.equal(ready.relayStatus, 'unreachable', JSON.stringify(ready))
    assert.ok(!receiver.events.some(e => e.event === 'error'), JSON.stringify(receiver.events))
  })

  it(`the relay back up is reserved on without a restart, within ${RESERVED_AGAIN_WITHIN_MS / 1000} s, twice`, () => {
    assert.ok(firstReservationMs < RESERVED_AGAIN_WITHIN_MS, `${firstReservationMs} ms`)
    assert.ok(secondReservationMs < RESERVED_AGAIN_WITHIN_MS, `${secondReservationMs} ms`)
    console.log(`# reserved again ${firstReservationMs} ms after the relay came up, ${secondReservationMs} ms after its restart`)
  })

  it('a sender reaches the receiver through the relay that came back', async () => {
    assert.equal(sentCode, 0)
    assert.deepEqual(await readFile(join(dir, 'out', 'a.bin')), await readFile(join(dir, 'src', 'a.bin')))
  })
})
