/**
 * Invariant: the `ferry` command speaks plainly to a person (without `--json`): `--version` prints the package's
 * version; the relay says where its key is kept; the receiver's "to send to you" line repeats the network flags it
 * was started with, so the printed command works as it is; the sender says how it is connected in words ("directly"),
 * not ICE jargon, and a short transfer's time is never "0.0 s". Real processes on loopback.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { randomFile, rm, tempDir } from '../helpers/files.ts'

const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url))
const ENV = { ...process.env, FERRY_RELAYS: 'none', FERRY_ICE_SERVERS: 'none', FERRY_MDNS: 'off', FERRY_UPNP: 'off' }

/** A `ferry` process in text mode, its stdout collected. */
function run (args: string[]): { child: ChildProcess, out: () => string, waitFor: (re: RegExp, ms?: number) => Promise<RegExpExecArray>, exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const waiters = new Set<() => void>()
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; for (const w of waiters) w() })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { for (const w of waiters) w(); resolve(code) }))
  const waitFor = async (re: RegExp, ms = 30_000): Promise<RegExpExecArray> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no ${String(re)} within ${ms} ms in:\n${out}`)) }, ms)
    const check = (): void => {
      const m = re.exec(out)
      if (m != null) { clearTimeout(timer); waiters.delete(check); resolve(m) }
    }
    waiters.add(check)
    check()
  })
  return { child, out: () => out, waitFor, exited }
}

describe('the CLI speaks plainly', () => {
  let dir: string
  const started: ChildProcess[] = []

  before(async () => {
    dir = await tempDir()
    await mkdir(join(dir, 'src'))
    await randomFile(join(dir, 'src', 'a.bin'), 256 * 1024)
  })

  after(async () => {
    for (const c of started) if (c.exitCode == null) c.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }
    const p = run(['--version'])
    assert.equal(await p.exited, 0)
    assert.equal(p.out().trim(), version)
  })

  it('relay, receive and send: the key file, a command that repeats the flags, and plain connection words', async () => {
    const relay = run(['relay', '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', join(dir, 'relay')])
    started.push(relay.child)
    assert.ok((await relay.waitFor(/Its key \(which keeps this peer ID across restarts\): (.+)\n/))[1]?.endsWith(join('relay', 'relay', 'identity.key')))
    const relayAddr = (await relay.waitFor(/^\s+(\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+)$/m))[1] as string

    const receiver = run(['receive', '--relay', relayAddr, '--ice-servers', 'none', '--data-dir', join(dir, 'rx'), '--out', join(dir, 'out'), '--yes', '--once'])
    started.push(receiver.child)
    const hint = (await receiver.waitFor(/^\s+npx ferry send (.+) <files or folders>$/m))[1] as string
    assert.ok(hint.startsWith(`--relay ${relayAddr} --ice-servers none --to ${relayAddr}/p2p-circuit/webrtc/p2p/`), hint)
    const to = /--to (\S+)/.exec(hint)?.[1] as string

    const sender = run(['send', '--relay', relayAddr, '--ice-servers', 'none', '--data-dir', join(dir, 'tx'), '--to', to, join(dir, 'src', 'a.bin')])
    started.push(sender.child)
    assert.equal(await sender.exited, 0, sender.out())
    assert.match(sender.out(), /^Connected directly( on this network)?\. Waiting for the receiver to accept…$/m)
    assert.doesNotMatch(sender.out(), /host|srflx|prflx|webrtc/i)
    assert.match(sender.out(), /^Sent 1 file\(s\), 256\.0 KiB in (\d+ ms|\d+\.\d s|\d+ s) \(/m)
    assert.doesNotMatch(sender.out(), / 0\.0 s/)
    assert.equal(await receiver.exited, 0, receiver.out())
    relay.child.kill('SIGTERM')
    await relay.exited
  })
})
