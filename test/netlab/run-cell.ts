/**
 * One cell of the NAT matrix: a relay, a receiver and a sender — real `ferry` processes, each in its own namespace of
 * the lab — transfer a file; the relay is killed as soon as the sender reports a WebRTC data connection (the relay only
 * carried the handshake), and the result records which path the bytes took.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ferry, startRelay } from '../helpers/cli.ts'
import type { Event, FerryProcess } from '../helpers/cli.ts'
import { treeHashes } from '../helpers/files.ts'
import { LAB_ICE_SERVERS } from './lab.ts'
import type { NetLab } from './lab.ts'
import type { Topology } from './topologies.ts'

/** What one cell measured. */
export interface CellResult {
  topology: Topology
  connected?: Event
  complete?: Event
  senderCode?: number | string
  receiverCode?: number | string
  /** Bytes the sender had reported sent when the relay died (undefined: the relay was not stopped). */
  sentWhenRelayDied?: number
  /** The received folder is byte-identical to the sent one. */
  identical?: boolean
  error?: string
  senderStderr?: string
  receiverStderr?: string
}

/** Time for the sender to report a connection: the dial race fails after ~18.5 s (three 6 s WebRTC attempts), with a margin. */
const CONNECT_TIMEOUT_MS = 60_000
const TRANSFER_TIMEOUT_MS = 120_000

/**
 * Runs `topology` in a fresh set of namespaces: sends every entry of `srcDir` from the sender's host to the receiver's
 * and returns what happened. Never throws for a failed transfer (the result says so); the caller asserts.
 */
export async function runCell (lab: NetLab, topology: Topology, srcDir: string, workDir: string): Promise<CellResult> {
  const result: CellResult = { topology }
  const cell = await lab.buildCell(topology)
  let relay: FerryProcess | undefined
  let sender: FerryProcess | undefined
  let receiver: FerryProcess | undefined
  try {
    // The same relay in every cell: it would carry data (--relay-data), so a direct path proves it was not needed.
    const started = await startRelay(join(workDir, 'relay'), { netns: lab.inet, listen: lab.relayListen, args: ['--relay-data'] })
    relay = started.relay
    const net = ['--relay', started.addr, '--ice-servers', LAB_ICE_SERVERS]
    receiver = ferry(['receive', ...net, '--data-dir', join(workDir, 'rx'), '--out', join(workDir, 'out'), '--yes', '--once'], {}, { netns: cell.receiver })
    const ready = await receiver.waitFor('ready')
    const to = (ready.addrs as string[]).find(a => a.includes('/p2p-circuit/webrtc/'))
    if (to == null) throw new Error(`the receiver printed no /p2p-circuit/webrtc address: ${JSON.stringify(ready)}`)
    const paths = (await readdir(srcDir)).map(name => join(srcDir, name))
    sender = ferry(['send', ...net, '--data-dir', join(workDir, 'tx'), '--to', to, ...paths], {}, { netns: cell.sender })
    result.connected = await sender.waitFor('connected', CONNECT_TIMEOUT_MS)
    if (result.connected.transport === 'webrtc') {
      // The data path does not go through Ferry's relay: take it away (SIGKILL: gone at once) before the bulk flows.
      await relay.stop('SIGKILL')
      result.sentWhenRelayDied = Math.max(0, ...sender.events.filter(e => e.event === 'progress').map(e => Number(e.transferredBytes)))
    }
    result.senderCode = await sender.exitCode(TRANSFER_TIMEOUT_MS)
    result.receiverCode = await receiver.exitCode(30_000)
    result.complete = sender.events.find(e => e.event === 'complete')
    const sent = await treeHashes(srcDir)
    const received = await treeHashes(join(workDir, 'out'))
    result.identical = sent.size > 0 && JSON.stringify([...sent].sort()) === JSON.stringify([...received].sort())
  } catch (err) {
    // What each side last said (progress left out), so a failure that printed nothing on stderr still says where it stopped.
    const said = (p: FerryProcess | undefined): string => JSON.stringify(p?.events.filter(e => e.event !== 'progress').slice(-6) ?? [])
    result.error = `${(err as Error).message}\nsender events: ${said(sender)}\nreceiver events: ${said(receiver)}`
  } finally {
    result.senderStderr = sender?.stderr
    result.receiverStderr = receiver?.stderr
    await Promise.all([sender, receiver, relay].map(async p => {
      if (p == null) return
      const kill = setTimeout(() => p.child.kill('SIGKILL'), 5000)
      await p.stop()
      clearTimeout(kill)
    }))
    await cell.teardown()
  }
  return result
}

/** How the bytes travelled: `direct` WebRTC, `TURN` (a relay candidate), or Ferry's `relay circuit`. */
export function pathOf (r: CellResult): string {
  const c = r.connected
  if (c == null) return '-'
  if (c.transport === 'circuit-relay') return 'relay circuit'
  if (c.candidateType === 'relay') return 'TURN'
  return c.relayed === true ? 'relayed' : 'direct'
}

/**
 * The matrix as `# …` lines (shown in the test output): per cell the path, the connect time (ms, the sender's
 * `connectMs`), the throughput (MiB/s), the selected ICE candidate pair, whether the relay was killed mid-way, and
 * whether the file arrived intact. The first four columns are `# cell | path | connect ms | MiB/s`.
 */
export function formatMatrix (results: readonly CellResult[], fileMiB: number): string[] {
  const rows = results.map(r => {
    const c = r.connected
    const pair = c?.candidates as { local?: string, remote?: string } | null | undefined
    const ok = r.senderCode === 0 && r.receiverCode === 0 && r.identical === true
    return [
      r.topology.name,
      c == null ? 'not connected' : pathOf(r),
      c?.connectMs == null ? '-' : String(c.connectMs),
      ok && r.complete?.mibPerSec != null ? Number(r.complete.mibPerSec).toFixed(1) : '-',
      pair?.local == null ? (c == null ? '-' : 'n/a (TCP)') : `${pair.local}/${pair.remote ?? '?'}`,
      r.sentWhenRelayDied == null ? 'no' : `yes (${(r.sentWhenRelayDied / 1048576).toFixed(0)} MiB sent)`,
      ok ? 'verified' : `FAILED${r.error == null ? '' : `: ${r.error.slice(0, 80)}`}`
    ]
  })
  const header = ['cell', 'path', 'connect ms', 'MiB/s', 'pair (local/remote)', 'relay killed', 'file']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: string[]): string => `# ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')}`
  return [
    `# NAT matrix: ${fileMiB} MiB file per cell; sender's view; relay killed once a WebRTC data connection is up`,
    line(header),
    `# ${widths.map(w => '-'.repeat(w)).join('-|-')}`,
    ...rows.map(line)
  ]
}
