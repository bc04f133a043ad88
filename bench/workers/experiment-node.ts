/**
 * A libp2p node like Ferry's `createNode` but with the WebRTC DataChannel options given, for the experiment that
 * compares DataChannel settings (bench/experiments/datachannel-options.ts). Same transports, Noise, Yamux, identify
 * and ping; no connection limits or gater beyond allowing private addresses.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { DataChannelOptions } from '@libp2p/webrtc'
import type { FerryLibp2p, NodeInit } from '../../src-main/core/node/index.ts'

/** Creates and starts the node; `dataChannel` `{}` means @libp2p/webrtc's defaults. */
export async function createExperimentNode (init: NodeInit, dataChannel: DataChannelOptions): Promise<FerryLibp2p> {
  const acceptIncoming = init.acceptIncoming ?? true
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: [...(init.listen ?? []), ...(acceptIncoming ? [...init.relays.map(r => `${r}/p2p-circuit`), '/webrtc'] : [])] },
    transports: [webRTC({ rtcConfiguration: { iceServers: [] }, dataChannel }), circuitRelayTransport(), tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), ping: ping() }
  })
}
