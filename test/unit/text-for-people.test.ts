/**
 * Invariant: every place Ferry shows a size or peer-supplied text uses the one rule of src-main/text — the terminal
 * (CLI), the page and notifications give the same number for the same size, and the character set that path rules
 * refuse is the one escaped in a terminal and stripped in a notification.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatBytes as cliFormatBytes } from '../../src-main/cli/output.ts'
import { printable as cliPrintable } from '../../src-main/cli/prompt.ts'
import { CONTROL_CHARACTERS, INVISIBLE_CHARACTERS, validateRelativePath } from '../../src-main/core/paths/index.ts'
import { offerNotification } from '../../src-main/electron/notifications.ts'
import { formatBytes as pageFormatBytes } from '../../src-renderer/src/lib/format.ts'
import * as text from '../../src-main/text/index.ts'
import { Output } from '../../src-main/cli/output.ts'
import { FAILURE_REASONS } from '../../src-main/core/index.ts'
import type { FailureReason } from '../../src-main/core/index.ts'
import { describeError } from '../../src-renderer/src/lib/errors.ts'

/** What `fn` writes to stdout. */
function stdoutOf (fn: () => void): string {
  const write = process.stdout.write
  let out = ''
  process.stdout.write = ((chunk: string) => { out += chunk; return true }) as typeof process.stdout.write
  try {
    fn()
  } finally {
    process.stdout.write = write
  }
  return out
}

describe('text for people (src-main/text)', () => {
  it('sizes: binary units, one decimal, the same function in the CLI and the page', () => {
    assert.equal(text.formatBytes(0), '0 B')
    assert.equal(text.formatBytes(1023), '1023 B')
    assert.equal(text.formatBytes(1536), '1.5 KiB')
    assert.equal(text.formatBytes(1_572_864), '1.5 MiB')
    assert.equal(cliFormatBytes, text.formatBytes)
    assert.equal(pageFormatBytes, text.formatBytes)
  })

  it('a notification gives the size the page gives', () => {
    const { body } = offerNotification({
      transferId: 't', peerId: 'p', shortId: 'p', senderName: 'A', contactName: 'A', isContact: true, trusted: false,
      files: [{ index: 0, path: 'a', size: 2_500_000 }], totalBytes: 2_500_000, receivedAt: 0, transport: 'webrtc'
    } as never)
    assert.ok(body.startsWith(`${text.formatBytes(2_500_000)} `), body)
  })

  it('the path rules, the terminal and notifications use one character set', () => {
    assert.equal(CONTROL_CHARACTERS, text.CONTROL_CHARACTERS)
    assert.equal(INVISIBLE_CHARACTERS, text.INVISIBLE_CHARACTERS)
    assert.equal(cliPrintable, text.printable)
    for (const ch of ['\u0000', '\u001b', '\u009b', '\u00ad', '\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', '\u{e0041}']) {
      assert.throws(() => validateRelativePath(`a${ch}b`), { name: 'UnsafePathError' }, JSON.stringify(ch))
      assert.ok(text.hasUnsafeCharacters(`a${ch}b`), JSON.stringify(ch))
      assert.doesNotMatch(text.printable(`a${ch}b`), /[^\x20-\x7e]/, JSON.stringify(ch))
      assert.equal(text.cleanText(`a${ch}b`, 10), 'ab')
    }
  })

  it('printable escapes, cleanText strips and cuts', () => {
    assert.equal(text.printable('evil\u202etxt.exe'), 'evil\\u202etxt.exe')
    assert.equal(text.printable('\u001b[31mred'), '\\u001b[31mred')
    assert.equal(text.printable('tag\u{e0041}'), 'tag\\u{e0041}')
    assert.equal(text.cleanText('  Al\u202eice\u0007\n ', 48), 'Alice')
    assert.equal(text.cleanText('x'.repeat(100), 48), `${'x'.repeat(47)}…`)
    assert.equal(text.hasUnsafeCharacters('Ærøskøbing 東京'), false)
  })

  it('failures: every reason of the core has its own words, on the side it happens and on the other', () => {
    // Which code each reason belongs to, and the side this device is on when it is its own disk or file.
    const ownSide: Record<FailureReason, ['write-failed' | 'read-failed', 'send' | 'receive'] | undefined> = {
      'disk-full': ['write-failed', 'receive'],
      'permission-denied': ['write-failed', 'receive'],
      'folder-gone': ['write-failed', 'receive'],
      'file-gone': ['read-failed', 'send'],
      'file-changed': ['read-failed', 'send'],
      other: undefined
    }
    for (const reason of FAILURE_REASONS) {
      const applies = ownSide[reason]
      if (applies == null) continue
      const [code, direction] = applies
      const words = text.describeFailure({ code, reason }, { direction }).message
      assert.notEqual(words, text.describeFailure({ code, reason: 'other' }, { direction }).message, `${code}/${reason} has words of its own`)
      assert.equal(text.describeFailure({ code, reason }, { direction }).reason, reason)
    }
    assert.match(text.describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'send', peerName: 'Bob' }).message, /^Bob's disk is full/)
    assert.match(text.describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'send' }).message, /^The receiver's disk is full/)
  })

  it('failures: the CLI, the app and the page say them with the one table', () => {
    const failure = { code: 'write-failed', reason: 'disk-full', message: 'Cannot write a.txt: the disk is full' }
    const words = text.describeFailure(failure, { direction: 'receive' })
    const printed = JSON.parse(stdoutOf(() => new Output(true).failure(failure, { direction: 'receive' }))) as Record<string, unknown>
    assert.deepEqual(printed, { event: 'error', code: 'write-failed', message: words.message, reason: 'disk-full' })
    // The page shows what the app worded; its own codes, and errors without words, from the same table.
    assert.equal(describeError(words), words.message)
    for (const code of ['connection-lost', 'disconnected', 'peer-unreachable']) assert.equal(describeError({ code }), text.describeFailure({ code }).message)
    assert.equal(describeError({ code: 'invalid-request', message: 'Expected string, received number at files.0' }), 'Ferry refused that input.')
    assert.equal(describeError({ code: 'some-new-code', message: 'Words from the app.' }), 'Words from the app.')
    assert.equal(describeError(undefined), 'Something went wrong.')
  })
})
