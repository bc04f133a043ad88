/**
 * Attack: a receiver whose `accept` names, in `files`, files that were never offered — an index past the offer's last
 * file, one twice, out of order, or none at all — hoping the sender reads or sends something it did not offer, or
 * records a nonsense history.
 * Invariant: the sender ends the transfer with `protocol-error` and a message that says what was wrong, sends no file
 * (no `file-start`), and records the send `failed`. And the other way round: a sender that sends a file that was not
 * accepted (an older Ferry, which does not know `accept.files`) has it dropped: nothing of it is written.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { TRANSFER_PROTOCOL } from '../../src-main/core/protocol/index.ts'
import type { ControlMessage } from '../../src-main/core/protocol/index.ts'
import { FrameChannel } from '../../src-main/core/transfer/index.ts'
import { entries, eventually, offerOf, sendHonestFile, startAttacker, startVictim, victimAndAttacker } from './malicious-peer.ts'
import type { Attacker, Victim } from './malicious-peer.ts'

/**
 * Makes the attacker answer every offer it is sent with `accept` carrying `files`, and returns what the victim (the
 * sender) sent after it: every control message until the stream ended.
 */
async function answerWith (attacker: Attacker, files: unknown): Promise<{ offer: Promise<ControlMessage>, after: Promise<ControlMessage[]> }> {
  const offer = Promise.withResolvers<ControlMessage>()
  const after = Promise.withResolvers<ControlMessage[]>()
  await attacker.node.unhandle(TRANSFER_PROTOCOL)
  await attacker.node.handle(TRANSFER_PROTOCOL, (stream) => {
    void (async () => {
      const channel = new FrameChannel(stream)
      const seen: ControlMessage[] = []
      try {
        const first = await channel.nextControl({ timeoutMs: 10_000 })
        offer.resolve(first)
        const count = first.type === 'offer' ? first.files.length : 0
        await channel.sendControl({ type: 'accept', offsets: new Array(count).fill(0), files } as unknown as ControlMessage)
        while (true) {
          const f = await channel.next({ timeoutMs: 3000 })
          if (f.kind === 'control') seen.push(f.message)
          // Told why: hang up, as a peer that moves on would.
          if (f.kind === 'control' && f.message.type === 'error') await stream.close().catch(() => {})
        }
      } catch {
        after.resolve(seen)
      }
    })()
  }, { runOnLimitedConnection: false })
  return { offer: offer.promise, after: after.promise }
}

describe('hostile receiver: accept naming files that were never offered', () => {
  const t = victimAndAttacker()

  const cases: Array<{ name: string, files: unknown, says: RegExp }> = [
    { name: 'an index past the last offered file', files: [0, 2], says: /file 2, which was never offered \(the offer has 2\)/ },
    { name: 'the same file twice', files: [1, 1], says: /file 1 twice/ },
    { name: 'files out of order', files: [1, 0], says: /not in increasing order/ },
    { name: 'no file at all', files: [], says: /name no file/ },
    { name: 'a negative index (refused by the schema)', files: [-1], says: /Invalid control message/ }
  ]
  for (const c of cases) {
    it(`${c.name}: the sender fails it with protocol-error, says why, and sends no file`, async () => {
      const { victim, attacker } = t
      const src = join(victim.dir, `src-${Math.random().toString(36).slice(2)}`)
      await writeFile(`${src}-a.bin`, randomBytes(1000))
      await writeFile(`${src}-b.bin`, randomBytes(2000))
      const answered = await answerWith(attacker, c.files)
      await attacker.node.dial(victim.addr)
      const sending = victim.peer.transfers.send(multiaddr(`/p2p/${attacker.node.peerId.toString()}`), [`${src}-a.bin`, `${src}-b.bin`])
      const err = await sending.then(() => undefined, (e: unknown) => e as { code?: string, message: string })
      assert.equal(err?.code, 'protocol-error', String(err?.message))
      assert.match(err.message, c.says)
      const offer = await answered.offer
      const after = await answered.after
      assert.deepEqual(after.filter(m => m.type === 'file-start'), [], 'no file was sent')
      assert.equal(after.find(m => m.type === 'error')?.type, 'error', 'the receiver was told')
      const transferId = offer.type === 'offer' ? offer.transferId : ''
      await eventually(() => victim.peer.store.transfers.get(transferId)?.state === 'failed')
      assert.deepEqual(victim.peer.store.transfers.files(transferId).map(f => f.state), ['pending', 'pending'], 'no file recorded skipped or verified')
    })
  }
})

describe('hostile (or older) sender: a file that was not accepted is sent anyway', () => {
  let victim: Victim
  let attacker: Attacker

  it('its bytes are dropped, never written; the accepted file is placed and the transfer completes', async () => {
    victim = await startVictim(async () => ({ accept: true, files: [1] }))
    attacker = await startAttacker()
    try {
      const unwanted = randomBytes(300_000)
      const wanted = randomBytes(5000)
      const offer = offerOf([{ path: 'unwanted.bin', size: unwanted.byteLength }, { path: 'wanted.bin', size: wanted.byteLength }])
      const s = await attacker.open(victim.addr)
      s.control(offer)
      const accept = await s.nextControl()
      assert.equal(accept.type, 'accept')
      assert.deepEqual(accept.type === 'accept' && accept.files, [1], 'the accept names the chosen file')
      sendHonestFile(s, 0, unwanted)
      sendHonestFile(s, 1, wanted)
      s.control({ type: 'done' })
      const complete = await s.nextControl()
      assert.equal(complete.type, 'complete', JSON.stringify(complete))
      const transferId = offer.type === 'offer' ? offer.transferId : ''
      await eventually(() => victim.peer.store.transfers.get(transferId)?.state === 'completed')
      assert.deepEqual(await entries(victim.downloadDir), ['wanted.bin'], 'only the accepted file is on disk (no temp file either)')
      assert.deepEqual(victim.peer.store.transfers.files(transferId).map(f => f.state), ['skipped', 'verified'])
    } finally {
      await attacker?.stop()
      await victim?.stop()
    }
  })

  it('a decision naming a file that was not offered accepts nothing and writes nothing', async () => {
    victim = await startVictim(async () => ({ accept: true, files: [5] }))
    attacker = await startAttacker()
    try {
      const offer = offerOf([{ path: 'only.bin', size: 10 }])
      const s = await attacker.open(victim.addr)
      s.control(offer)
      const answer = await s.nextControl()
      assert.notEqual(answer.type, 'accept', JSON.stringify(answer))
      assert.deepEqual(await entries(victim.downloadDir), [])
    } finally {
      await attacker?.stop()
      await victim?.stop()
    }
  })
})
