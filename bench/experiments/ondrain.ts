/**
 * Experiment (docs/PERFORMANCE.md, "Backpressure"): does `stream.onDrain()` wait after the first drain? Two Ferry
 * nodes over TCP in one process; each round fills the stream until `writableNeedsDrain`, awaits `onDrain()`, and
 * prints whether the stream still needs a drain when the promise resolved (it should not).
 *
 *   node_modules/.bin/node bench/experiments/ondrain.ts
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createNode } from '../../src-main/core/node/index.ts'

const make = async (listen: string[]): ReturnType<typeof createNode> => createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [], iceServers: [], listen, acceptIncoming: false })
const a = await make(['/ip4/127.0.0.1/tcp/0'])
const b = await make([])
try {
  await a.handle('/ferry-bench/drain/1.0.0', (s) => { s.addEventListener('message', () => {}) })
  const addr = a.getMultiaddrs()[0]
  if (addr == null) throw new Error('no listen address')
  const stream = await (await b.dial(addr)).newStream('/ferry-bench/drain/1.0.0')
  const block = new Uint8Array(64 * 1024)
  for (let round = 1; round <= 3; round++) {
    while (!stream.writableNeedsDrain) stream.send(block)
    await stream.onDrain()
    console.log(`round ${round}: onDrain() resolved with writableNeedsDrain=${stream.writableNeedsDrain}, ${stream.writeBufferLength} bytes still queued`)
  }
} finally {
  await b.stop()
  await a.stop()
}
