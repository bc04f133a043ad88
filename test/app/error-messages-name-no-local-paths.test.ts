/**
 * Invariant: the errors the app service shows (transfer views, call errors) never carry a local filesystem path that
 * the core put in its message — the UI sees no paths except the download folder — and they say what happened in
 * words for a person, from this side's point of view, decided by the error's typed facts (code, reason, the peer's
 * words), never by its message. The errors fed here are the ones the core builds: its error classes, from real system
 * errors and from a decoded wire `error` message.
 */
import assert from 'node:assert/strict'
import { open } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { describeFailure, failureOf, toApiError } from '../../src-main/app/index.ts'
import { FerryError, failureReasonOf } from '../../src-main/core/index.ts'
import { decodeControl, RemoteError, TransferError } from '../../src-main/core/protocol/index.ts'
import { writeError } from '../../src-main/core/transfer/incoming-file.ts'

const SECRET = '/home/me/private/tax-2025.pdf'

/** A system error as Node builds it (`code`, `errno`, `syscall`, `path`, and a message naming the path). */
function systemError (code: string, path = SECRET): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: failed, open '${path}'`), { code, syscall: 'open', path })
}

/** What the receiver's side of the core throws when the sender's `error` message arrives (receiver.ts). */
function fromWire (json: object): RemoteError {
  const msg = decodeControl(new TextEncoder().encode(JSON.stringify(json)))
  assert.equal(msg.type, 'error')
  if (msg.type !== 'error') throw new Error('not an error message')
  return new RemoteError(msg.code, `The sender stopped the transfer: ${msg.message}`, { reason: msg.reason, peerMessage: msg.message })
}

describe('app error messages', () => {
  it('core errors that name local files are worded without them', async () => {
    const missing = await open('/nonexistent-ferry-folder/x.part', 'wx').then(() => undefined, (err: unknown) => err)
    assert.equal((missing as NodeJS.ErrnoException).code, 'ENOENT', 'a real system error')
    const errors: Error[] = [
      new TransferError('read-failed', `Cannot read ${SECRET}: EIO: i/o error`, { reason: failureReasonOf(systemError('EIO'), 'read') }),
      new TransferError('read-failed', `${SECRET} became shorter while it was being sent`, { reason: 'file-changed' }),
      new FerryError('source-unreadable', `${SECRET} changed size (10 → 12 bytes)`),
      new FerryError('not-resumable', `${SECRET} is gone or changed since the transfer started`),
      writeError(missing, 'tax-2025.pdf'),
      writeError(systemError('EACCES', `${SECRET}.part`), 'tax-2025.pdf'),
      writeError(systemError('ENOSPC', `${SECRET}.part`), 'tax-2025.pdf')
    ]
    for (const err of errors) {
      for (const direction of ['send', 'receive'] as const) {
        const shown = toApiError(err, { peerName: 'Bob', direction })
        assert.equal(shown.code, (err as FerryError).code)
        assert.ok(!shown.message.includes(SECRET) && !shown.message.includes('/home/') && !shown.message.includes('tax-2025'), `${shown.code} (${direction}): ${shown.message}`)
      }
    }
    assert.equal(toApiError(writeError(missing, 'a.txt'), { direction: 'receive' }).message, 'The download folder is gone (deleted, moved, or its disk removed).')
    assert.match(toApiError(writeError(systemError('EACCES'), 'a.txt'), { direction: 'receive' }).message, /^Ferry may not write into the download folder \(permission denied/)
  })

  it('a full disk is ours on a receive and the receiver\'s on a send, from the reason, whatever the message says', () => {
    const ours = writeError(systemError('ENOSPC', `${SECRET}.part`), 'a.txt')
    assert.deepEqual([ours.code, ours.reason], ['write-failed', 'disk-full'])
    assert.deepEqual(describeFailure(failureOf(ours)!, { direction: 'receive' }), {
      code: 'write-failed', reason: 'disk-full', message: 'The disk is full. Free some space; what was verified is kept and the transfer can resume.'
    })
    // The receiver's `error` message, as an older peer would send it (no reason) and as this version sends it.
    const old = fromWire({ type: 'error', code: 'write-failed', message: 'Cannot write a.txt: the disk is full' })
    assert.equal(describeFailure(failureOf(old)!, { peerName: 'Bob', direction: 'send' }).message, 'Bob could not write the files.', 'no reason: the message is not read')
    const told = fromWire({ type: 'error', code: 'write-failed', message: 'anything', reason: 'disk-full' })
    assert.equal(describeFailure(failureOf(told)!, { peerName: 'Bob', direction: 'send' }).message, 'Bob\'s disk is full. The transfer can resume once there is room.')
    const unknown = fromWire({ type: 'error', code: 'write-failed', message: 'x', reason: 'quantum-foam' })
    assert.equal(unknown.reason, undefined, 'a reason this version does not know is dropped')
    assert.match(describeFailure({ code: 'insufficient-space' }, { peerName: 'Bob', direction: 'send' }).message, /^Bob does not have enough free space/)
  })

  it('a decline shows the receiver\'s words from their own field', () => {
    const declined = new RemoteError('declined', 'The receiver declined: Not now, thanks', { peerMessage: 'Not now, thanks' })
    assert.equal(toApiError(declined, { peerName: 'Bob', direction: 'send' }).message, 'Bob declined the files: Not now, thanks')
    const silent = new RemoteError('declined', 'The receiver declined: this text is not read', { peerMessage: '' })
    assert.equal(toApiError(silent, { peerName: 'Bob', direction: 'send' }).message, 'Bob declined the files.')
  })

  it('thrown core errors become ApiErrors with the core code', () => {
    const err = toApiError(new FerryError('peer-unreachable', 'Could not connect to /ip4/…'), { peerName: 'Bob' })
    assert.deepEqual([err.name, err.code], ['ApiError', 'peer-unreachable'])
    assert.match(err.message, /^Bob is offline or cannot be reached/)
    assert.equal(toApiError(new Error('boom')).code, 'internal')
  })
})
