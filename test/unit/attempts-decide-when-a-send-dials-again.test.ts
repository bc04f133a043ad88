/**
 * Invariant: whether a send dials again after a failed attempt is decided in one place (`Attempts`,
 * src-main/core/transfer/attempts.ts; docs/PROTOCOL.md §8 and §10): an interruption under way resumes within the retry
 * window only, after a pause; a stream that could not be opened gets one new connection, at once, with no window; a
 * stall after the accept resumes at once, once with no window and as often as a window allows, never for a text
 * snippet; a cancel or pause never dials again; a first dial that fails is not retried.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Attempts, ConnectionStalledError, reportedError } from '../../src-main/core/transfer/attempts.ts'
import { StreamClosedError } from '../../src-main/core/transfer/channel.ts'
import { StreamOpenError } from '../../src-main/core/transfer/open-stream.ts'
import { FerryError } from '../../src-main/core/errors/index.ts'
import { RemoteError } from '../../src-main/core/protocol/index.ts'

const NO_WINDOW = (): number => Date.now()
const WINDOW = (): number => Date.now() + 60_000
const stalled = (): ConnectionStalledError => new ConnectionStalledError(new RemoteError('timeout', 'The other side could not go on (timeout)'))

describe('when a send dials again', () => {
  it('a stall after the accept resumes at once: once with no retry window, then it gives up', () => {
    const a = new Attempts(NO_WINDOW())
    assert.equal(a.next(stalled(), 1, false), 'resume-now')
    assert.equal(a.next(stalled(), 2, false), 'give-up')
  })

  it('a stall resumes as often as a retry window allows', () => {
    const a = new Attempts(WINDOW())
    for (let attempt = 1; attempt <= 5; attempt++) assert.equal(a.next(stalled(), attempt, false), 'resume-now')
  })

  it('a text snippet that stalls is not offered again (its transfer ID must be new to the receiver)', () => {
    assert.equal(new Attempts(WINDOW(), false).next(stalled(), 1, false), 'give-up')
  })

  it('a stream that could not be opened gets one new connection at once, with no window, not reported as a resume', () => {
    const a = new Attempts(NO_WINDOW())
    assert.equal(a.next(new StreamOpenError('createDataChannel() called on destroyed peer connection'), 1, false), 'redial')
    assert.equal(a.next(new StreamOpenError('again'), 2, false), 'give-up')
  })

  it('a connection lost under way resumes after a pause within the window, and not without one', () => {
    assert.equal(new Attempts(WINDOW()).next(new StreamClosedError(), 1, false), 'resume-later')
    assert.equal(new Attempts(NO_WINDOW()).next(new StreamClosedError(), 1, false), 'give-up')
  })

  it('an unreachable peer is tried again only after an attempt that got through', () => {
    const unreachable = new FerryError('peer-unreachable', 'no route')
    assert.equal(new Attempts(WINDOW()).next(unreachable, 1, false), 'give-up')
    assert.equal(new Attempts(WINDOW()).next(unreachable, 2, false), 'resume-later')
  })

  it('a cancel or pause (the send\'s own signal aborted) never dials again, whatever ended the attempt', () => {
    for (const err of [stalled(), new StreamOpenError('x'), new StreamClosedError()]) assert.equal(new Attempts(WINDOW()).next(err, 1, true), 'give-up')
  })

  it('a refusal or failure of the transfer itself is not tried again', () => {
    for (const code of ['declined', 'hash-mismatch', 'invalid-offer']) assert.equal(new Attempts(WINDOW()).next(new RemoteError(code, code), 1, false), 'give-up')
  })

  it('a send that gives up after a stall reports what ended the transfer', () => {
    const cause = new RemoteError('timeout', 'The other side could not go on (timeout)')
    assert.equal(reportedError(new ConnectionStalledError(cause)), cause)
    const other = new StreamClosedError()
    assert.equal(reportedError(other), other)
  })
})
