/**
 * `npm run bench:wan` (as root): Ferry over emulated internet paths. Builds the WAN lab of test/wanlab (two network
 * namespaces joined by delaylink, which adds delay and loss in user space), then sends one file A → B with the real
 * `ferry` CLI — relay-assisted WebRTC, the relay on the sender's side — at 0, 20, 60 and 120 ms round-trip time and at
 * 60 ms with 0.5 % loss per frame and direction. Writes `bench-results/wan.json`:
 * `{ "rtt0": { "mibPerSec": median, "rounds": [...], "failed": n }, …, "rtt60loss05": {…}, "failed": total }`.
 * A transfer that is interrupted (the connection was lost, even if it resumed), fails, or does not finish in time
 * counts as failed; its rate is left out of the median.
 *
 * @example
 * ```sh
 * flock /tmp/ferry-cpu.lock npm run bench:wan                          # 64 MiB (16 MiB with loss), 2 rounds
 * flock /tmp/ferry-cpu.lock npm run bench:wan -- --size 32MiB --rounds 3
 * ```
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { ferry, startRelay, stopAll } from '../test/helpers/cli.ts'
import type { FerryProcess } from '../test/helpers/cli.ts'
import { randomFile, rm, tempDir } from '../test/helpers/files.ts'
import { removeLeftovers } from '../test/netlab/netns.ts'
import { ADDR_A, buildWanLab, missingWanPrerequisite } from '../test/wanlab/wan.ts'
import type { LinkSettings, WanLab } from '../test/wanlab/wan.ts'
import { parseSize } from './size.ts'

/** The paths measured, by their key in wan.json. */
export const CONDITIONS: ReadonlyArray<{ key: string, link: LinkSettings, lossy: boolean }> = [
  { key: 'rtt0', link: { rttMs: 0 }, lossy: false },
  { key: 'rtt20', link: { rttMs: 20 }, lossy: false },
  { key: 'rtt60', link: { rttMs: 60 }, lossy: false },
  { key: 'rtt120', link: { rttMs: 120 }, lossy: false },
  { key: 'rtt60loss05', link: { rttMs: 60, lossPercent: 0.5 }, lossy: true }
]

/** One transfer's outcome. */
interface Round { mibPerSec: number | null, transferMs: number | null, connectMs: number | null, failure?: string }

function positiveInt (text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${text}" is not a positive integer`)
  return n
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

/** Sends `file` A → B once over the lab's current link. */
async function transferOnce (lab: WanLab, relayAddr: string, file: string, work: string, timeoutMs: number): Promise<Round> {
  await rm(work, { recursive: true, force: true })
  const env = { FERRY_RELAYS: relayAddr }
  const receiver = ferry(['receive', '--yes', '--once', '--data-dir', join(work, 'rx'), '--out', join(work, 'out')], env, { netns: lab.b })
  let sender: FerryProcess | undefined
  try {
    const ready = await receiver.waitFor('ready', 60_000)
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    if (to == null) return { mibPerSec: null, transferMs: null, connectMs: null, failure: 'the receiver has no relayed address' }
    const running = ferry(['send', '--to', to, '--data-dir', join(work, 'tx'), file], env, { netns: lab.a })
    sender = running
    const code = await running.exitCode(timeoutMs).catch(() => 'timeout')
    const events = running.events
    const connected = events.find(e => e.event === 'connected')
    const complete = events.find(e => e.event === 'complete')
    const interrupted = events.filter(e => e.event === 'interrupted' || e.event === 'error')
    const round: Round = { mibPerSec: (complete?.mibPerSec as number | undefined) ?? null, transferMs: (complete?.transferMs as number | undefined) ?? null, connectMs: (connected?.connectMs as number | undefined) ?? null }
    if (code === 'timeout') {
      // Too slow for the bench, not necessarily failed: how far it got, and whether the connection was ever lost.
      const last = events.filter(e => e.event === 'progress').pop()
      const moved = (last?.transferredBytes as number | undefined) ?? 0
      return { ...round, mibPerSec: null, failure: `not done within ${timeoutMs / 1000} s: ${(moved / 1048576).toFixed(1)} MiB moved, ${interrupted.length === 0 ? 'never interrupted' : JSON.stringify(interrupted)}` }
    }
    if (code !== 0 || complete == null) return { ...round, mibPerSec: null, failure: `exit ${String(code)}: ${JSON.stringify(interrupted)}` }
    if (interrupted.length > 0) return { ...round, mibPerSec: null, failure: `completed after an interruption: ${JSON.stringify(interrupted)}` }
    if (connected?.transport !== 'webrtc' || connected.relayed !== false) return { ...round, mibPerSec: null, failure: `not direct WebRTC: ${JSON.stringify(connected)}` }
    return round
  } finally {
    await sender?.stop('SIGKILL')
    await receiver.stop('SIGKILL')
  }
}

const program = new Command('bench:wan')
  .description('Measure Ferry over emulated internet paths (delay, loss) between two network namespaces (root).')
  .addOption(new Option('--size <size>', 'file size on lossless paths').default(64 * 1024 ** 2, '64MiB').argParser(parseSize))
  .addOption(new Option('--loss-size <size>', 'file size on the lossy path').default(16 * 1024 ** 2, '16MiB').argParser(parseSize))
  .addOption(new Option('--rounds <n>', 'transfers per path (the median is reported)').default(2).argParser(positiveInt))
  .addOption(new Option('--timeout <seconds>', 'a transfer not done by then counts as failed').default(240).argParser(positiveInt))
  .addOption(new Option('--only <keys>', `comma-separated subset of ${CONDITIONS.map(c => c.key).join(',')}`))
  .addOption(new Option('--out <file>', 'where to write the JSON figures').default('bench-results/wan.json'))
program.parse(process.argv)
const opts = program.opts<{ size: number, lossSize: number, rounds: number, timeout: number, only?: string, out: string }>()

const missing = await missingWanPrerequisite()
if (missing != null) {
  console.error(`bench:wan: ${missing}`)
  process.exit(2)
}
const only = opts.only?.split(',').map(s => s.trim())
const conditions = CONDITIONS.filter(c => only == null || only.includes(c.key))
const dir = await tempDir('ferry-bench-wan-')
let lab: WanLab | undefined
const results: Record<string, unknown> = {}
let failed = 0
try {
  await removeLeftovers()
  await randomFile(join(dir, 'big.bin'), opts.size)
  await randomFile(join(dir, 'lossy.bin'), opts.lossSize)
  lab = await buildWanLab('bw', { rttMs: 0 })
  const { addr: relayAddr } = await startRelay(join(dir, 'relay'), { netns: lab.a, listen: `/ip4/${ADDR_A}/tcp/4001` })
  for (const c of conditions) {
    await lab.setLink(c.link)
    const rounds: Round[] = []
    for (let i = 0; i < opts.rounds; i++) {
      const r = await transferOnce(lab, relayAddr, join(dir, c.lossy ? 'lossy.bin' : 'big.bin'), join(dir, 'work'), opts.timeout * 1000)
      rounds.push(r)
      process.stderr.write(`${c.key} round ${i + 1}: ${r.mibPerSec == null ? `FAILED (${r.failure ?? ''})` : `${r.mibPerSec.toFixed(2)} MiB/s`}\n`)
    }
    const ok = rounds.flatMap(r => r.mibPerSec == null ? [] : [r.mibPerSec])
    const m = median(ok)
    failed += rounds.length - ok.length
    results[c.key] = { mibPerSec: m == null ? null : Number(m.toFixed(2)), sizeBytes: c.lossy ? opts.lossSize : opts.size, link: c.link, rounds, failed: rounds.length - ok.length }
  }
} finally {
  await stopAll()
  await lab?.teardown()
  await rm(dir, { recursive: true, force: true })
}
const version = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
const out = resolve(opts.out)
await mkdir(dirname(out), { recursive: true })
await writeFile(out, JSON.stringify({ ...results, failed, startedAt: new Date().toISOString(), ferry: version.version }, null, 2) + '\n')
console.log(Object.entries(results).map(([k, v]) => `${k.padEnd(12)} ${String((v as { mibPerSec: number | null }).mibPerSec ?? 'failed')} MiB/s`).join('\n'))
console.log(`failed: ${failed}\nFigures written to ${out}`)
