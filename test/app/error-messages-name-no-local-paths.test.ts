/**
 * Invariant: the errors the app service shows (transfer views, call errors) never carry a local filesystem path that
 * the core put in its message — the UI sees no paths except the download folder — and they say what happened in
 * words for a person, from this side's point of view.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeFailure, toApiError } from '../../src-main/app/index.ts'
import { FerryError } from '../../src-main/core/index.ts'

const SECRET = '/home/me/private/tax-2025.pdf'

describe('app error messages', () => {
  it('core messages that name local files are replaced', () => {
    const cases: Array<[string, string]> = [
      ['read-failed', `Cannot read ${SECRET}: EIO`],
      ['source-unreadable', `${SECRET} changed size (10 → 12 bytes)`],
      ['not-resumable', `${SECRET} is gone or changed since the transfer started`],
      ['write-failed', `Cannot write ${SECRET}.part: EACCES: permission denied`]
    ]
    for (const [code, message] of cases) {
      for (const direction of ['send', 'receive'] as const) {
        const shown = describeFailure(code, message, { peerName: 'Bob', direction })
        assert.equal(shown.code, code)
        assert.ok(!shown.message.includes(SECRET) && !shown.message.includes('/home/'), `${code} (${direction}): ${shown.message}`)
      }
    }
    assert.match(describeFailure('write-failed', `Cannot write ${SECRET}: EACCES`, { direction: 'receive' }).message, /\(EACCES\)/)
  })

  it('a full disk is the receiver\'s on a send and ours on a receive', () => {
    assert.match(describeFailure('insufficient-space', 'x', { peerName: 'Bob', direction: 'send' }).message, /^Bob does not have enough free space/)
    const ours = describeFailure('write-failed', 'Cannot write x: ENOSPC: no space left on device', { direction: 'receive' })
    assert.deepEqual([ours.code, /^The disk is full/.test(ours.message)], ['disk-full', true])
  })

  it('thrown core errors become ApiErrors with the core code', () => {
    const err = toApiError(new FerryError('peer-unreachable', 'Could not connect to /ip4/…'), { peerName: 'Bob' })
    assert.deepEqual([err.name, err.code], ['ApiError', 'peer-unreachable'])
    assert.match(err.message, /^Bob is offline or cannot be reached/)
    assert.equal(toApiError(new Error('boom')).code, 'internal')
  })
})
