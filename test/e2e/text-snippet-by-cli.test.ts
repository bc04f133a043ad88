/**
 * Invariants: `ferry send --text "…"` and `--text -` (standard input) deliver the text as a snippet of its own kind
 * (docs/PROTOCOL.md §4 "offer", kind `text`): the receiver's `complete` event carries it exactly as sent, both sides'
 * `ferry history` record it with its text, and nothing is written to the receiver's download folder.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ferry, history, relayForSuite } from '../helpers/cli.ts'
import { listAll } from '../helpers/files.ts'

describe('text snippets by CLI', () => {
  const suite = relayForSuite()

  async function sendAndReceive (name: string, args: string[], stdin?: string): Promise<{ received: Record<string, unknown>, out: string }> {
    const out = join(suite.dir, `${name}-out`)
    const receiver = ferry(['receive', '--relay', suite.relayAddr, '--data-dir', join(suite.dir, `${name}-rx`), '--out', out, '--once', '--yes'])
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    assert.ok(to)
    const sender = ferry(['send', '--relay', suite.relayAddr, '--to', to, '--data-dir', join(suite.dir, `${name}-tx`), ...args])
    if (stdin != null) sender.child.stdin?.end(Buffer.from(stdin, 'utf8'))
    else sender.child.stdin?.end()
    assert.equal(await sender.exitCode(60_000), 0, sender.stderr)
    const sent = await sender.waitFor('complete', 0)
    assert.equal(sent.kind, 'text')
    const received = await receiver.waitFor('complete', 30_000)
    assert.equal(await receiver.exitCode(), 0, receiver.stderr)
    return { received, out }
  }

  it('--text "…" arrives exactly as sent, is in both histories, and the download folder stays empty', async () => {
    const text = 'Meeting at 10: https://example.org/room?id=42 — 会议室 😀'
    const { received, out } = await sendAndReceive('arg', ['--text', text])
    assert.equal(received.kind, 'text')
    assert.equal(received.text, text)
    assert.deepEqual(received.files, [])
    assert.deepEqual(await listAll(out), [])
    const [rx] = await history(join(suite.dir, 'arg-rx'))
    const [tx] = await history(join(suite.dir, 'arg-tx'))
    assert.equal(rx?.state, 'completed')
    assert.equal(rx?.kind, 'text')
    assert.equal(rx?.text, text)
    assert.equal(tx?.kind, 'text')
    assert.equal(tx?.text, text)
  })

  it('--text - reads standard input (several lines, control and bidi characters kept as data)', async () => {
    const text = 'line one\nline two\t\u202eevil\u0007\n'
    const { received, out } = await sendAndReceive('stdin', ['--text', '-'], text)
    assert.equal(received.text, text)
    assert.deepEqual(await listAll(out), [])
    const [rx] = await history(join(suite.dir, 'stdin-rx'))
    assert.equal(rx?.text, text)
  })

  it('--text with paths too, or neither, is refused before anything is dialled', async () => {
    for (const args of [['--text', 'hi', join(suite.dir, 'whatever')], []]) {
      const p = ferry(['send', '--to', '/ip4/127.0.0.1/tcp/1', '--data-dir', join(suite.dir, 'usage-tx'), ...args])
      p.child.stdin?.end()
      assert.notEqual(await p.exitCode(), 0)
    }
  })
})
