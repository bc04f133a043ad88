/**
 * Invariant: the transfer life cycle is defined once (`core/transfer/lifecycle.ts`) and every layer agrees with it:
 * the store sets `finishedAt` exactly for its terminal states and sweeps exactly its unfinished ones at start-up, a
 * recorded transfer can resume exactly when `canResume` says so, and an ending is recorded as docs/PROTOCOL.md §11
 * tables it.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { PausedError } from '../../src-main/core/errors/index.ts'
import { ProtocolError, RemoteError, TransferError } from '../../src-main/core/protocol/index.ts'
import { openStore } from '../../src-main/core/store/index.ts'
import {
  canResume, isTerminal, isUnfinished, StreamClosedError, TERMINAL_STATES, TRANSFER_STATES, UNFINISHED_STATES
} from '../../src-main/core/transfer/index.ts'
import type { ResumableRecord } from '../../src-main/core/transfer/index.ts'
import { outcomeOf } from '../../src-main/core/transfer/outcome.ts'
import { rm, tempDir } from '../helpers/files.ts'

describe('transfer life cycle', () => {
  const dirs: string[] = []
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })

  it('every state is either terminal or unfinished, and the store treats each accordingly', async () => {
    const dir = await tempDir('ferry-lifecycle-')
    dirs.push(dir)
    for (const state of TRANSFER_STATES) assert.notEqual(isTerminal(state), isUnfinished(state), state)
    assert.equal(TERMINAL_STATES.length + UNFINISHED_STATES.length, TRANSFER_STATES.length)
    const store = openStore(join(dir, 'ferry.db'))
    try {
      for (const state of TRANSFER_STATES) {
        const rec = store.transfers.create({ id: state, direction: 'receive', peerId: 'p', state: 'offered', totalBytes: 0, fileCount: 0, files: [] })
        assert.equal(rec.finishedAt, undefined)
        assert.equal(store.transfers.setState(state, state).finishedAt != null, isTerminal(state), state)
      }
      assert.equal(store.transfers.markUnfinishedAsInterrupted(), UNFINISHED_STATES.length)
      for (const state of TRANSFER_STATES) assert.equal(store.transfers.get(state)?.state, isTerminal(state) ? state : 'interrupted', state)
    } finally {
      store.close()
    }
  })

  it('canResume: accepted once, interrupted or failed; a send refused as invalid starts afresh; a receive needs its folder', () => {
    const send: ResumableRecord = { direction: 'send', state: 'interrupted', acceptedAt: 1 }
    const receive: ResumableRecord = { direction: 'receive', state: 'failed', acceptedAt: 1, destDir: '/d' }
    assert.equal(canResume(send), true)
    assert.equal(canResume(receive), true)
    for (const state of TRANSFER_STATES.filter(s => s !== 'interrupted' && s !== 'failed')) {
      assert.equal(canResume({ ...send, state }), false, state)
      assert.equal(canResume({ ...receive, state }), false, state)
    }
    assert.equal(canResume({ ...send, acceptedAt: undefined }), false, 'never accepted')
    assert.equal(canResume({ ...send, state: 'failed', errorCode: 'invalid-offer' }), false)
    assert.equal(canResume({ ...send, state: 'failed', errorCode: 'protocol-error' }), false)
    assert.equal(canResume({ ...send, state: 'failed', errorCode: 'read-failed' }), true)
    assert.equal(canResume({ ...receive, errorCode: 'protocol-error' }), true, 'the receiver resumes any failed transfer (§8)')
    assert.equal(canResume({ ...receive, destDir: undefined }), false)
  })

  it('an ending is recorded as the table of docs/PROTOCOL.md §11 says', () => {
    const paused = AbortSignal.abort(new PausedError())
    const cancelled = AbortSignal.abort()
    const diskFull = new TransferError('write-failed', 'full', { cause: Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }), reason: 'disk-full' })
    const cases: Array<[string, unknown, AbortSignal | undefined, string, string, boolean]> = [
      ['paused here', new Error('x'), paused, 'interrupted', 'paused', true],
      ['cancelled here', new Error('x'), cancelled, 'cancelled', 'cancelled', true],
      ['stream closed', new StreamClosedError('gone'), undefined, 'interrupted', 'interrupted', false],
      ['disk full', diskFull, undefined, 'interrupted', 'write-failed', true],
      ['peer declined', new RemoteError('declined', 'no'), undefined, 'declined', 'declined', false],
      ['peer cancelled', new RemoteError('cancelled', 'no'), undefined, 'cancelled', 'cancelled', false],
      ['peer paused', new RemoteError('paused', 'later'), undefined, 'interrupted', 'paused', false],
      ['peer failed', new RemoteError('hash-mismatch', 'bad'), undefined, 'failed', 'hash-mismatch', false],
      ['protocol violation', new ProtocolError('bad'), undefined, 'failed', 'protocol-error', true],
      ['local Ferry error', new TransferError('read-failed', 'gone'), undefined, 'failed', 'read-failed', true],
      ['anything else', new Error('boom'), undefined, 'failed', 'internal', true]
    ]
    for (const [what, err, signal, state, code, tellPeer] of cases) {
      const outcome = outcomeOf(err, signal)
      assert.deepEqual([outcome.state, outcome.code, outcome.tellPeer], [state, code, tellPeer], what)
    }
  })
})
