/**
 * One bench run: sets up a relay and the input files in a temp folder, runs each section in turn (ceilings and the
 * matching Ferry transfer back to back, so both see the same machine state), and always removes the temp folder and
 * every process it started, even when a section fails.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRelay, stopAll } from '../test/helpers/cli.ts'
import { rawDataChannel, rawLibp2pStream } from './ceilings.ts'
import type { CeilingResult } from './ceilings.ts'
import { measureConnect } from './connect.ts'
import { measureDisk, measureReceiverSteps } from './disk.ts'
import { ferryTransfer } from './ferry-runs.ts'
import type { FerryRunInit, FerryRunResult } from './ferry-runs.ts'
import { bigFile, smallFiles } from './fixtures.ts'
import { stopAllWorkers } from './proc.ts'
import { formatSize } from './report.ts'
import type { BenchResults } from './report.ts'

/** Sections of a run. */
export const SECTIONS = ['tcp', 'webrtc', 'small', 'connect'] as const
export type Section = typeof SECTIONS[number]

/** Options of {@link runBench}. */
export interface BenchOptions {
  sizeBytes: number
  /** A second, smaller Ferry transfer per transport for the RSS comparison; 0 for none. */
  compareSizeBytes: number
  files: number
  fileBytes: number
  dials: number
  /** Measurements of each throughput pair (ceiling, Ferry); the best of each is kept. */
  repeat: number
  sections: Section[]
  /** Folder the temp folder is made in. */
  tmp: string
  log: (line: string) => void
}

/** Default options: the full run of issue 6. */
export const DEFAULTS: Omit<BenchOptions, 'log'> = {
  sizeBytes: 1024 ** 3,
  compareSizeBytes: 128 * 1024 ** 2,
  files: 10_000,
  fileBytes: 4096,
  dials: 30,
  repeat: 2,
  sections: [...SECTIONS],
  tmp: tmpdir()
}

const best = <T extends { mibPerSec: number }>(a: T | undefined, b: T): T => (a == null || b.mibPerSec > a.mibPerSec ? b : a)

/** Runs the bench and returns what it measured. */
export async function runBench (options: BenchOptions): Promise<BenchResults> {
  const { log } = options
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` },
    sizeBytes: options.sizeBytes,
    compareSizeBytes: options.compareSizeBytes,
    ceilings: {},
    ferry: {},
    warnings: []
  }
  const work = await mkdtemp(join(options.tmp, 'ferry-bench-'))
  let runs = 0
  const transfer = async (init: Omit<FerryRunInit, 'workDir'>): Promise<FerryRunResult> => {
    const workDir = join(work, `run-${++runs}`)
    await mkdir(workDir)
    try {
      const r = await ferryTransfer({ ...init, workDir })
      results.warnings.push(...r.warnings)
      return r
    } finally {
      await rm(workDir, { recursive: true, force: true })
    }
  }
  /**
   * Measures one ceiling and keeps the better of it and `previous`. A ceiling that fails or stalls (a bare libp2p
   * WebRTC stream once did, docs/PERFORMANCE.md) becomes a warning, not the end of the run: its row stays empty.
   */
  const ceiling = async <T extends CeilingResult>(what: string, previous: T | undefined, measure: () => Promise<T>): Promise<T | undefined> => {
    try {
      const r = await measure()
      log(`  ${what}: ${r.mibPerSec.toFixed(1)} MiB/s, CPU ${r.senderCpuSeconds.toFixed(1)} / ${r.receiverCpuSeconds.toFixed(1)} s`)
      return best(previous, r)
    } catch (err) {
      const warning = `${what} failed: ${(err as Error).message.split('\n')[0] ?? ''}`
      log(`  ${warning}`)
      results.warnings.push(warning)
      return previous
    }
  }
  const ferryLog = (what: string, r: FerryRunResult): void => log(`  Ferry ${what}: ${r.mibPerSec.toFixed(1)} MiB/s, ${r.files} file(s) in ${(r.transferMs / 1000).toFixed(1)} s, peak RSS ${r.senderPeakMB.toFixed(0)} / ${r.receiverPeakMB.toFixed(0)} MB, CPU ${r.senderCpuSeconds.toFixed(1)} / ${r.receiverCpuSeconds.toFixed(1)} s`)
  try {
    log('Measuring the disk of the temp folder…')
    results.disk = await measureDisk(work, Math.min(options.files, 2000), Math.min(options.sizeBytes, 256 * 1024 ** 2))
    log(`  creates ${results.disk.createFilesPerSec.toFixed(0)} files/s, writes ${results.disk.writeMiBps.toFixed(0)} MiB/s`)
    const { addr: relayAddr } = await startRelay(join(work, 'relay'))
    const has = (s: Section): boolean => options.sections.includes(s)
    const src = join(work, 'src')
    await mkdir(src)
    const sizes = [options.sizeBytes, ...(options.compareSizeBytes > 0 && options.compareSizeBytes < options.sizeBytes ? [options.compareSizeBytes] : [])]
    if (has('tcp') || has('webrtc')) {
      for (const [i, bytes] of sizes.entries()) {
        const path = join(src, `file-${i}.bin`)
        log(`Writing a ${formatSize(bytes)} random file…`)
        const sha256 = await bigFile(path, bytes)
        const file = { paths: [path], totalBytes: bytes, expected: new Map([[`file-${i}.bin`, sha256]]), relayAddr }
        const main = i === 0
        for (const t of (['tcp', 'webrtc'] as const).filter(has)) {
          log(`${t === 'tcp' ? 'Direct TCP' : 'Relay-assisted WebRTC'}, ${formatSize(bytes)}${main ? '' : ' (RSS comparison)'}:`)
          for (let rep = 0; rep < (main ? options.repeat : 1); rep++) {
            if (main && t === 'tcp') {
              results.ceilings.libp2pTCP = await ceiling('raw libp2p TCP stream', results.ceilings.libp2pTCP, async () => await rawLibp2pStream('tcp', bytes, relayAddr))
            }
            if (main && t === 'webrtc') {
              results.ceilings.dataChannel = await ceiling('raw DataChannel', results.ceilings.dataChannel, async () => await rawDataChannel(bytes))
              results.ceilings.libp2pWebRTC = await ceiling('raw libp2p WebRTC stream', results.ceilings.libp2pWebRTC, async () => await rawLibp2pStream('webrtc', bytes, relayAddr))
            }
            const r = await transfer({ ...file, transport: t })
            ferryLog(t, r)
            if (main) results.ferry[t] = best(results.ferry[t], r)
            else results.ferry[t === 'tcp' ? 'tcpCompare' : 'webrtcCompare'] = r
          }
        }
        await rm(path, { force: true })
      }
    }
    if (has('small')) {
      log(`Writing ${options.files} files of ${formatSize(options.fileBytes)}…`)
      const root = join(src, 'many')
      const expected = await smallFiles(root, options.files, options.fileBytes)
      // The disk's ceiling for these files, measured right before the transfer: this disk's speed varies over minutes.
      log(`The receiver's file steps for ${options.files} files, no network:`)
      const stepsFilesPerSec = await measureReceiverSteps(work, options.files, options.fileBytes)
      log(`  ${stepsFilesPerSec.toFixed(0)} files/s`)
      log('Many small files over relay-assisted WebRTC:')
      const r = await transfer({ transport: 'webrtc', relayAddr, paths: [root], totalBytes: options.files * options.fileBytes, expected })
      log(`  ${r.filesPerSec.toFixed(0)} files/s (${(r.transferMs / 1000).toFixed(1)} s)`)
      results.smallFiles = { ...r, fileBytes: options.fileBytes, stepsFilesPerSec }
      await rm(root, { recursive: true, force: true })
    }
    if (has('connect')) {
      log(`Connecting via the relay, ${options.dials} dials:`)
      results.connect = await measureConnect(relayAddr, options.dials, work)
      log(`  p50 ${results.connect.p50Ms.toFixed(0)} ms, p95 ${results.connect.p95Ms.toFixed(0)} ms, ${results.connect.failed} failed, ${results.connect.retried} retried`)
      if (results.connect.failed > 0) results.warnings.push(...results.connect.errors.map(e => `dial failed: ${e}`))
    }
    return results
  } finally {
    await stopAllWorkers()
    await stopAll()
    await rm(work, { recursive: true, force: true })
  }
}
