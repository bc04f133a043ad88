/**
 * The bench's output: a plain-text table (what was measured, the result, the target, whether it is met) and the
 * figures as JSON in `bench-results/latest.json` (fixed keys, read by scripts) plus every detail in
 * `bench-results/latest-details.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { CeilingResult } from './ceilings.ts'
import type { ConnectResult } from './connect.ts'
import type { DiskResult } from './disk.ts'
import type { FerryRunResult } from './ferry-runs.ts'

/** Everything one bench run measured; a section that was skipped is undefined. */
export interface BenchResults {
  startedAt: string
  machine: { cpus: number, node: string, platform: string }
  sizeBytes: number
  compareSizeBytes: number
  ceilings: { dataChannel?: CeilingResult, libp2pWebRTC?: CeilingResult, libp2pTCP?: CeilingResult }
  ferry: { webrtc?: FerryRunResult, tcp?: FerryRunResult, webrtcCompare?: FerryRunResult, tcpCompare?: FerryRunResult }
  smallFiles?: FerryRunResult & { fileBytes: number, stepsFilesPerSec: number }
  connect?: ConnectResult
  disk?: DiskResult
  warnings: string[]
}

/** Targets of issue 6, on this machine. */
export const TARGETS = {
  webrtcRatio: 0.8,
  tcpRatio: 0.8,
  filesPerSec: 2000,
  connectP95Ms: 1000,
  /** Peak RSS at the full size may exceed the one at the compare size by at most this, MB. */
  rssGrowthMB: 50,
  /** Ferry's CPU seconds per GiB (both processes) over the raw libp2p stream's, at most. */
  cpuRatio: 1.25
}

const MiB = 1024 * 1024

/** `bytes` as a short binary size: 1 GiB, 128 MiB, 4 KiB. */
export function formatSize (bytes: number): string {
  for (const [unit, n] of [['GiB', 1024 ** 3], ['MiB', MiB], ['KiB', 1024]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`
  }
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} B`
}

const f1 = (n: number | undefined): string => (n == null || Number.isNaN(n) ? '–' : n.toFixed(1))
const f0 = (n: number | undefined): string => (n == null || Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'))
const verdict = (ok: boolean | undefined): string => (ok == null ? '' : ok ? 'met' : 'MISSED')

function ratio (ferry: FerryRunResult | undefined, ceiling: CeilingResult | undefined): number | undefined {
  return ferry == null || ceiling == null ? undefined : ferry.mibPerSec / ceiling.mibPerSec
}

/**
 * CPU seconds of both processes (sender + receiver, whole process: start-up and handshake included) per GiB moved:
 * on 2 shared cores throughput ratios are CPU-bound, so this is the cost figure to compare.
 */
export function cpuSecondsPerGiB (run: { bytes: number, senderCpuSeconds: number, receiverCpuSeconds: number } | undefined): number | undefined {
  return run == null || run.bytes === 0 ? undefined : (run.senderCpuSeconds + run.receiverCpuSeconds) / (run.bytes / 1024 ** 3)
}

function cpuRatio (ferry: FerryRunResult | undefined, ceiling: CeilingResult | undefined): number | undefined {
  const f = cpuSecondsPerGiB(ferry)
  const c = cpuSecondsPerGiB(ceiling)
  return f == null || c == null ? undefined : f / c
}

function peak (runs: Array<FerryRunResult | undefined>, side: 'senderPeakMB' | 'receiverPeakMB'): number | undefined {
  const values = runs.filter((r): r is FerryRunResult => r != null).map(r => r[side])
  return values.length === 0 ? undefined : Math.max(...values)
}

/** The figures with the fixed keys of `bench-results/latest.json`. */
export function summary (r: BenchResults): Record<string, unknown> {
  const webrtcRatio = ratio(r.ferry.webrtc, r.ceilings.dataChannel)
  const tcpRatio = ratio(r.ferry.tcp, r.ceilings.libp2pTCP)
  const round = (n: number | undefined, digits = 1): number | null => (n == null || Number.isNaN(n) ? null : Number(n.toFixed(digits)))
  return {
    webrtc: {
      ceilingMiBps: round(r.ceilings.dataChannel?.mibPerSec),
      ceilingCpuSecondsPerGiB: round(cpuSecondsPerGiB(r.ceilings.dataChannel)),
      libp2pStreamMiBps: round(r.ceilings.libp2pWebRTC?.mibPerSec),
      libp2pStreamCpuSecondsPerGiB: round(cpuSecondsPerGiB(r.ceilings.libp2pWebRTC)),
      ferryMiBps: round(r.ferry.webrtc?.mibPerSec),
      ferryCpuSecondsPerGiB: round(cpuSecondsPerGiB(r.ferry.webrtc)),
      ratio: round(webrtcRatio, 2),
      cpuRatio: round(cpuRatio(r.ferry.webrtc, r.ceilings.libp2pWebRTC), 2)
    },
    tcp: {
      ceilingMiBps: round(r.ceilings.libp2pTCP?.mibPerSec),
      ceilingCpuSecondsPerGiB: round(cpuSecondsPerGiB(r.ceilings.libp2pTCP)),
      ferryMiBps: round(r.ferry.tcp?.mibPerSec),
      ferryCpuSecondsPerGiB: round(cpuSecondsPerGiB(r.ferry.tcp)),
      ratio: round(tcpRatio, 2),
      cpuRatio: round(cpuRatio(r.ferry.tcp, r.ceilings.libp2pTCP), 2)
    },
    smallFiles: { filesPerSec: round(r.smallFiles?.filesPerSec, 0), diskStepsFilesPerSec: round(r.smallFiles?.stepsFilesPerSec, 0) },
    connect: { p50Ms: round(r.connect?.p50Ms, 0), p95Ms: round(r.connect?.p95Ms, 0), failed: r.connect?.failed ?? null },
    rss: { senderPeakMB: round(peak([r.ferry.webrtc, r.ferry.tcp], 'senderPeakMB'), 0), receiverPeakMB: round(peak([r.ferry.webrtc, r.ferry.tcp], 'receiverPeakMB'), 0) }
  }
}

/** The table printed at the end of a run. */
export function table (r: BenchResults): string {
  const size = formatSize(r.sizeBytes)
  const rows: Array<[string, string, string, string]> = []
  const section = (title: string): void => { rows.push([title, '', '', '']) }
  const { dataChannel, libp2pWebRTC, libp2pTCP } = r.ceilings
  section(`Ceilings (this run, ${size}, two processes, loopback)`)
  const cpu = (run: Parameters<typeof cpuSecondsPerGiB>[0]): string => `, CPU ${f1(cpuSecondsPerGiB(run))} s/GiB`
  rows.push(['  raw node-datachannel DataChannel', `${f1(dataChannel?.mibPerSec)} MiB/s${cpu(dataChannel)}`, '', ''])
  rows.push(['  raw libp2p WebRTC stream (via relay)', `${f1(libp2pWebRTC?.mibPerSec)} MiB/s${cpu(libp2pWebRTC)}`, '', ''])
  rows.push(['  raw libp2p TCP stream (Noise, Yamux)', `${f1(libp2pTCP?.mibPerSec)} MiB/s${cpu(libp2pTCP)}`, '', ''])
  if (r.disk != null) {
    section('Disk of the temp folder (what every receiver must do, no network)')
    rows.push(['  create + write 4 KiB + close, one by one', `${f0(r.disk.createFilesPerSec)} files/s`, '', ''])
    rows.push([`  write a new ${formatSize(r.disk.writeBytes)} file`, `${f1(r.disk.writeMiBps)} MiB/s`, '', ''])
  }
  section(`Ferry CLI, ${size} file, disk to disk, verified, in SQLite`)
  const wr = ratio(r.ferry.webrtc, dataChannel)
  const tr = ratio(r.ferry.tcp, libp2pTCP)
  rows.push(['  relay-assisted WebRTC', `${f1(r.ferry.webrtc?.mibPerSec)} MiB/s = ${f1(wr == null ? undefined : wr * 100)} % of DataChannel`, `≥ ${TARGETS.webrtcRatio * 100} %`, verdict(wr == null ? undefined : wr >= TARGETS.webrtcRatio)])
  rows.push(['  direct TCP', `${f1(r.ferry.tcp?.mibPerSec)} MiB/s = ${f1(tr == null ? undefined : tr * 100)} % of libp2p TCP`, `≥ ${TARGETS.tcpRatio * 100} %`, verdict(tr == null ? undefined : tr >= TARGETS.tcpRatio)])
  section('CPU seconds per GiB, both processes (Ferry ÷ the raw libp2p stream of its transport)')
  for (const [label, run, ceiling] of [['relay-assisted WebRTC', r.ferry.webrtc, libp2pWebRTC], ['direct TCP', r.ferry.tcp, libp2pTCP]] as const) {
    const c = cpuRatio(run, ceiling)
    rows.push([`  ${label}`, `${f1(cpuSecondsPerGiB(run))} s/GiB = ${f1(c == null ? undefined : c * 100)} % of the raw stream's ${f1(cpuSecondsPerGiB(ceiling))}`, `≤ ${TARGETS.cpuRatio * 100} %`, verdict(c == null ? undefined : c <= TARGETS.cpuRatio)])
  }
  if (r.smallFiles != null) {
    const s = r.smallFiles
    section(`Many small files (${f0(s.files)} × ${formatSize(s.fileBytes)}, one transfer, ${s.transport})`)
    rows.push(['  the receiver\'s file steps, no network', `${f0(s.stepsFilesPerSec)} files/s`, '', ''])
    rows.push(['  Ferry, files per second', `${f0(s.filesPerSec)} files/s = ${f1(s.filesPerSec / s.stepsFilesPerSec * 100)} % of the steps (${(s.transferMs / 1000).toFixed(1)} s)`, `≥ ${f0(TARGETS.filesPerSec)}`, verdict(s.filesPerSec >= TARGETS.filesPerSec)])
  }
  if (r.connect != null) {
    const c = r.connect
    section(`Connect via relay (${c.dials} dials, fresh dialer node each)`)
    rows.push(['  p50 / p95 / max', `${f0(c.p50Ms)} / ${f0(c.p95Ms)} / ${f0(c.maxMs)} ms`, `p95 < ${f0(TARGETS.connectP95Ms)} ms`, verdict(c.p95Ms < TARGETS.connectP95Ms)])
    rows.push(['  failed (after retries) / needed a retry', `${c.failed} / ${c.retried}`, '0 failed', verdict(c.failed === 0)])
  }
  section('Peak RSS (VmHWM), sender / receiver')
  const big = [r.ferry.webrtc, r.ferry.tcp]
  const small = [r.ferry.webrtcCompare, r.ferry.tcpCompare]
  for (const [label, run] of [['WebRTC', r.ferry.webrtc], ['TCP', r.ferry.tcp], ['WebRTC', r.ferry.webrtcCompare], ['TCP', r.ferry.tcpCompare]] as const) {
    if (run != null) rows.push([`  ${label}, ${formatSize(run.bytes)}`, `${f0(run.senderPeakMB)} / ${f0(run.receiverPeakMB)} MB`, '', ''])
  }
  const growth = ['senderPeakMB', 'receiverPeakMB'].map(side => {
    const a = peak(big, side as 'senderPeakMB')
    const b = peak(small, side as 'senderPeakMB')
    return a == null || b == null ? undefined : a - b
  })
  if (growth.every(g => g != null)) {
    const worst = Math.max(...(growth as number[]))
    rows.push([`  growth ${size} vs ${formatSize(r.compareSizeBytes)}`, `${f0(growth[0])} / ${f0(growth[1])} MB`, `≤ ${TARGETS.rssGrowthMB} MB`, verdict(worst <= TARGETS.rssGrowthMB)])
  }
  const isSection = (row: string[]): boolean => row.slice(1).every(c => c === '')
  const widths = [0, 1, 2, 3].map(i => Math.max(...rows.filter(row => !isSection(row)).map(row => row[i]?.length ?? 0)))
  const lines = rows.map(row => isSection(row) ? row[0] : row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd())
  const head = `Ferry bench — ${r.startedAt}, ${r.machine.cpus} cores, Node ${r.machine.node}, ${r.machine.platform}`
  const warn = r.warnings.length === 0 ? [] : ['', 'Warnings:', ...r.warnings.map(w => `  - ${w}`)]
  return [head, '', ...lines, ...warn].join('\n')
}

/** Writes `latest.json` (the summary) and `latest-details.json` (everything) next to each other. */
export async function writeResults (file: string, r: BenchResults): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(summary(r), null, 2) + '\n')
  await writeFile(join(dirname(file), file.endsWith('.json') ? file.slice(dirname(file).length + 1, -5) + '-details.json' : 'details.json'), JSON.stringify(r, null, 2) + '\n')
}
