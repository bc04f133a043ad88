/**
 * Experiment (docs/PERFORMANCE.md, "DataChannel message size" and "SCTP settings"): the ceilings under other
 * settings, interleaved and repeated so machine noise shows as spread rather than as a false difference.
 *
 *   node_modules/.bin/node bench/experiments/transport-settings.ts datachannel [MiB] [reps]   # raw node-datachannel: message size, SCTP
 *   node_modules/.bin/node bench/experiments/transport-settings.ts libp2p [MiB] [reps]        # libp2p WebRTC stream: DataChannel options
 *   node_modules/.bin/node bench/experiments/transport-settings.ts streams [MiB] [reps]       # 1, 2 or 4 streams in parallel, WebRTC and TCP
 *   node_modules/.bin/node bench/experiments/transport-settings.ts low [MiB] [reps]           # WebRTC stream: DataChannel bufferedAmountLowThreshold
 *
 * Prints one line per run: setting, MiB/s, CPU seconds of the sending and the receiving process (start-up included).
 */
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { startRelay, stopAll } from '../../test/helpers/cli.ts'
import { rawDataChannel, rawLibp2pStream } from '../ceilings.ts'
import type { CeilingResult } from '../ceilings.ts'
import { stopAllWorkers } from '../proc.ts'

const mode = ['libp2p', 'streams', 'low'].includes(process.argv[2] ?? '') ? process.argv[2] : 'datachannel'
const bytes = Number(process.argv[3] ?? 256) * 1024 * 1024
const reps = Number(process.argv[4] ?? 3)
const KiB = 1024
const MiB = 1024 * 1024

const datachannelSettings: Array<[string, Parameters<typeof rawDataChannel>[1]]> = [
  ['16 KiB messages', { messageBytes: 16 * KiB }],
  ['64 KiB messages', { messageBytes: 64 * KiB }],
  ['256 KiB messages', { messageBytes: 256 * KiB }],
  ['256 KiB, SCTP buffers 256 KiB', { messageBytes: 256 * KiB, sctp: { recvBufferSize: 256 * KiB, sendBufferSize: 256 * KiB } }],
  ['256 KiB, SCTP buffers 4 MiB', { messageBytes: 256 * KiB, sctp: { recvBufferSize: 4 * MiB, sendBufferSize: 4 * MiB } }],
  ['256 KiB, SCTP buffers 16 MiB', { messageBytes: 256 * KiB, sctp: { recvBufferSize: 16 * MiB, sendBufferSize: 16 * MiB } }],
  ['256 KiB, delayed SACK 0 ms', { messageBytes: 256 * KiB, sctp: { delayedSackTime: 0 } }]
]

const libp2pSettings: Array<[string, Record<string, number>]> = [
  ['@libp2p/webrtc defaults (16 KiB, 2 MiB)', {}],
  ['maxMessageSize 64 KiB', { maxMessageSize: 64 * KiB }],
  ['maxMessageSize 256 KiB', { maxMessageSize: 256 * KiB }],
  ['256 KiB, maxBufferedAmount 4 MiB', { maxMessageSize: 256 * KiB, maxBufferedAmount: 4 * MiB }],
  ['256 KiB, maxBufferedAmount 16 MiB (Ferry)', { maxMessageSize: 256 * KiB, maxBufferedAmount: 16 * MiB }]
]

const line = (label: string, r: CeilingResult): void => {
  console.log(`${label.padEnd(44)} ${r.mibPerSec.toFixed(1).padStart(6)} MiB/s   CPU s ${r.senderCpuSeconds.toFixed(2)} / ${r.receiverCpuSeconds.toFixed(2)}`)
}

const work = await mkdtemp(join(tmpdir(), 'ferry-exp-'))
try {
  const relayAddr = mode === 'datachannel' ? '' : (await startRelay(join(work, 'relay'))).addr
  for (let rep = 0; rep < reps; rep++) {
    if (mode === 'datachannel') for (const [label, s] of datachannelSettings) line(label, await rawDataChannel(bytes, s))
    else if (mode === 'libp2p') for (const [label, s] of libp2pSettings) line(label, await rawLibp2pStream('webrtc', bytes, relayAddr, 64 * KiB, s))
    else if (mode === 'low') {
      for (const low of [0, 1, 4, 8]) line(`webrtc, bufferedAmountLowThreshold ${low} MiB`, await rawLibp2pStream('webrtc', bytes, relayAddr, 64 * KiB, undefined, { lowThreshold: low * MiB }))
    } else {
      for (const transport of ['webrtc', 'tcp'] as const) {
        for (const streams of [1, 2, 4]) line(`${transport}, ${streams} stream${streams > 1 ? 's' : ''}`, await rawLibp2pStream(transport, bytes, relayAddr, 64 * KiB, undefined, { streams }))
      }
    }
  }
} finally {
  await stopAllWorkers()
  await stopAll()
  await rm(work, { recursive: true, force: true })
}
