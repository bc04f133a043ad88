/**
 * Ceiling worker: one end of a raw node-datachannel DataChannel, no libp2p. `offer` creates the channel and sends;
 * `answer` receives and counts. SDP and ICE candidates go through the bench (IPC), as a relay would carry them.
 *
 * argv: `offer|answer` `<JSON SctpSettings or {}>`
 */
import ndc from 'node-datachannel'
import type { DataChannel, DescriptionType, SctpSettings } from 'node-datachannel'
import { nowMs } from '../proc.ts'
import type { WorkerMessage } from '../proc.ts'
import { serve, tell } from './parent.ts'

const role = process.argv[2] === 'offer' ? 'offer' : 'answer'
const sctp = JSON.parse(process.argv[3] ?? '{}') as SctpSettings
if (Object.keys(sctp).length > 0) ndc.setSctpSettings(sctp)

const pc = new ndc.PeerConnection(role, { iceServers: [] })
let channel: DataChannel | undefined
let received = 0
let expected = Number.POSITIVE_INFINITY
let reported = false

pc.onLocalDescription((sdp: string, sdpType: DescriptionType) => tell({ type: 'signal', sdp, sdpType }))
pc.onLocalCandidate((candidate: string, mid: string) => tell({ type: 'signal', candidate, mid }))

const checkDone = (): void => {
  if (!reported && received >= expected) {
    reported = true
    tell({ type: 'done', endAt: nowMs(), bytes: received })
  }
}

const attach = (dc: DataChannel): void => {
  channel = dc
  dc.onOpen(() => tell({ type: 'open' }))
  if (dc.isOpen()) tell({ type: 'open' })
  dc.onMessage((msg) => {
    received += typeof msg === 'string' ? Buffer.byteLength(msg) : msg.byteLength
    checkDone()
  })
}

if (role === 'offer') attach(pc.createDataChannel('bench'))
else pc.onDataChannel(attach)

/** Writes `bytes` bytes in `messageBytes` messages, keeping the channel's buffer between `lowWater` and `highWater`. */
function pump (dc: DataChannel, bytes: number, messageBytes: number, highWater: number, lowWater: number): void {
  const block = Buffer.alloc(messageBytes, 0xab)
  let sent = 0
  dc.setBufferedAmountLowThreshold(lowWater)
  const write = (): void => {
    while (sent < bytes) {
      if (dc.bufferedAmount() > highWater) return
      const n = Math.min(messageBytes, bytes - sent)
      dc.sendMessageBinary(n === messageBytes ? block : block.subarray(0, n))
      sent += n
    }
  }
  dc.onBufferedAmountLow(write)
  write()
}

serve((msg: WorkerMessage) => {
  if (msg.type === 'signal') {
    if (typeof msg.sdp === 'string') pc.setRemoteDescription(msg.sdp, msg.sdpType as DescriptionType)
    else if (typeof msg.candidate === 'string') pc.addRemoteCandidate(msg.candidate, String(msg.mid))
  } else if (msg.type === 'expect') {
    expected = Number(msg.bytes)
    checkDone()
  } else if (msg.type === 'go') {
    if (channel == null) throw new Error('no data channel')
    tell({ type: 'sent', startAt: nowMs() })
    pump(channel, Number(msg.bytes), Number(msg.messageBytes), Number(msg.highWater), Number(msg.lowWater))
  }
}, () => {
  channel?.close()
  pc.close()
  ndc.cleanup()
})
