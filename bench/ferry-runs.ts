/**
 * Ferry transfers through the real CLI: a `ferry receive --yes --once` process and a `ferry send` process, disk to
 * disk, each file verified (SHA-256) and recorded in SQLite. Every run is checked — the connection is the expected
 * direct transport, both processes exit 0, the receiver's history says `completed` with every file `verified` and the
 * expected SHA-256, and the bytes are on disk — so a broken transfer can never be reported as a fast one.
 */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ferry, history } from '../test/helpers/cli.ts'
import type { Event, FerryProcess } from '../test/helpers/cli.ts'
import { treeBytes } from '../test/helpers/files.ts'
import { transferTimeoutMs } from './ceilings.ts'
import { ProcessSampler } from './process-sampler.ts'

/** What a run sends and how to check it arrived. */
export interface FerryRunInit {
  transport: 'webrtc' | 'tcp'
  /** Relay multiaddr (WebRTC runs). */
  relayAddr: string
  /** Paths given to `ferry send`. */
  paths: string[]
  totalBytes: number
  /** Offer path → SHA-256 of every file sent. */
  expected: Map<string, string>
  /** Scratch folder of this run (data dirs and the download folder go inside). */
  workDir: string
}

/** Outcome of one run. */
export interface FerryRunResult {
  transport: string
  bytes: number
  files: number
  /** From the accept to the receiver's confirmation, as the sender reports it. */
  transferMs: number
  mibPerSec: number
  filesPerSec: number
  senderPeakMB: number
  receiverPeakMB: number
  /** CPU time of the whole process (start-up and handshake included), s. */
  senderCpuSeconds: number
  receiverCpuSeconds: number
  /** The part of the CPU time spent in the kernel, s. */
  senderSystemSeconds: number
  receiverSystemSeconds: number
  /** Problems that did not make the transfer fail (a process that did not exit cleanly afterwards). */
  warnings: string[]
}

const MiB = 1024 * 1024

function networkArgs (init: FerryRunInit): string[] {
  return init.transport === 'webrtc' ? ['--relay', init.relayAddr, '--ice-servers', 'none'] : ['--relay', 'none', '--ice-servers', 'none']
}

/** The receiver's address for `init.transport`, from its `ready` event. */
function targetOf (ready: Event, transport: 'webrtc' | 'tcp'): string {
  const addrs = ready.addrs as string[]
  const addr = transport === 'webrtc'
    ? addrs.find(a => a.includes('/p2p-circuit/webrtc/'))
    : addrs.find(a => a.startsWith('/ip4/127.0.0.1/tcp/') && !a.includes('/ws') && !a.includes('p2p-circuit'))
  if (addr == null) throw new Error(`the receiver's ready event lists no ${transport} address: ${JSON.stringify(addrs)}`)
  return addr
}

/**
 * Ends `p` (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit.
 */
export async function stopFerry (p: FerryProcess | undefined, graceMs = 5000): Promise<void> {
  if (p == null) return
  const kill = setTimeout(() => p.child.kill('SIGKILL'), graceMs)
  await p.stop()
  clearTimeout(kill)
}

/**
 * Waits for `p` to exit on its own after a verified transfer. A non-zero exit other than 13 fails the run. Exit 13
 * (Node: "unsettled top-level await" — libp2p's `stop()` never settled) or no exit at all are shutdown bugs, not
 * transfer failures: they are returned as warnings, and a process that does not exit is killed.
 */
async function exitAfterTransfer (p: FerryProcess, what: string, timeoutMs: number): Promise<string | undefined> {
  let code: number | string
  try {
    code = await p.exitCode(timeoutMs)
  } catch {
    await stopFerry(p)
    return `${what} did not exit within ${timeoutMs / 1000} s after a verified transfer (killed)`
  }
  if (code === 0) return undefined
  if (code === 13) return `${what} exited 13 after a verified transfer: its libp2p node.stop() never settled`
  throw new Error(`${what} exited ${code}; events: ${JSON.stringify(p.events.filter(e => e.event !== 'progress'))}; stderr: ${p.stderr}`)
}

/** Runs one transfer and checks it; throws if anything about it is wrong. */
export async function ferryTransfer (init: FerryRunInit): Promise<FerryRunResult> {
  const recvData = join(init.workDir, 'recv-data')
  const out = join(init.workDir, 'recv-out')
  const timeoutMs = transferTimeoutMs(init.totalBytes) + init.expected.size * 10
  const receiver = ferry(['receive', '--data-dir', recvData, '--out', out, '--yes', '--once', ...networkArgs(init),
    ...(init.transport === 'tcp' ? ['--listen', '/ip4/127.0.0.1/tcp/0'] : [])])
  let sender: FerryProcess | undefined
  const receiverRss = new ProcessSampler(receiver.child.pid ?? -1)
  let senderRss: ProcessSampler | undefined
  try {
    const target = targetOf(await receiver.waitFor('ready', 30_000), init.transport)
    sender = ferry(['send', '--to', target, '--data-dir', join(init.workDir, 'send-data'), ...networkArgs(init), ...init.paths])
    senderRss = new ProcessSampler(sender.child.pid ?? -1)
    const connected = await sender.waitFor('connected', 60_000)
    if (connected.transport !== init.transport || connected.limited !== false) throw new Error(`expected a direct ${init.transport} connection, got ${JSON.stringify(connected)}`)
    const complete = await sender.waitFor('complete', timeoutMs)
    await receiver.waitFor('complete', 30_000)
    const warnings = [await exitAfterTransfer(sender, 'ferry send', 30_000), await exitAfterTransfer(receiver, 'ferry receive --once', 15_000)]
      .filter((w): w is string => w != null)
    const { peakMB: senderPeakMB, cpuSeconds: senderCpuSeconds, systemSeconds: senderSystemSeconds } = senderRss.stop()
    const { peakMB: receiverPeakMB, cpuSeconds: receiverCpuSeconds, systemSeconds: receiverSystemSeconds } = receiverRss.stop()
    await verify(init, recvData, out)
    const transferMs = Number(complete.transferMs ?? complete.durationMs)
    return {
      transport: String(connected.transport),
      bytes: init.totalBytes,
      files: init.expected.size,
      transferMs,
      mibPerSec: init.totalBytes / MiB / (transferMs / 1000),
      filesPerSec: init.expected.size / (transferMs / 1000),
      senderPeakMB,
      receiverPeakMB,
      senderCpuSeconds,
      receiverCpuSeconds,
      senderSystemSeconds,
      receiverSystemSeconds,
      warnings
    }
  } finally {
    senderRss?.stop()
    receiverRss.stop()
    await Promise.all([stopFerry(sender), stopFerry(receiver)])
  }
}

/** Checks the receiver recorded the transfer as completed with every file verified, and the bytes are on disk. */
async function verify (init: FerryRunInit, recvData: string, out: string): Promise<void> {
  const [record] = await history(recvData)
  if (record == null || record.state !== 'completed') throw new Error(`the receiver did not record a completed transfer: ${JSON.stringify(record)}`)
  const files = record.files as Array<{ path: string, state: string, sha256: string | null }>
  if (files.length !== init.expected.size) throw new Error(`the receiver recorded ${files.length} files, ${init.expected.size} were sent`)
  for (const f of files) {
    if (f.state !== 'verified' || f.sha256 !== init.expected.get(f.path)) throw new Error(`${f.path} was recorded ${f.state} with SHA-256 ${f.sha256}, expected ${init.expected.get(f.path)}`)
  }
  const onDisk = init.expected.size === 1 ? (await stat(join(out, files[0]?.path ?? ''))).size : await treeBytes(out)
  if (onDisk !== init.totalBytes) throw new Error(`${onDisk} bytes on disk after the transfer, ${init.totalBytes} were sent`)
}
