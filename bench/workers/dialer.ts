/**
 * Connect worker: dials a Ferry receiver through the relay the way `ferry send` does — a fresh node per dial (so the
 * relay connection is part of every dial), Ferry's own `dialDirect` with its retries — and reports how long each
 * dial took until a direct (not limited) WebRTC connection was up.
 *
 * argv: `<relay multiaddr>`
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, describeConnection, dialDirect } from '../../src-main/core/node/index.ts'
import { nowMs } from '../proc.ts'
import type { WorkerMessage } from '../proc.ts'
import { serve, tell } from './parent.ts'

const relay = process.argv[2] ?? ''

/** One dial: node start (not timed), dial (timed), close, node stop. */
async function dialOnce (addr: string): Promise<void> {
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), relays: [relay], iceServers: [], acceptIncoming: false })
  let retries = 0
  const startAt = nowMs()
  try {
    const conn = await dialDirect(node, multiaddr(addr), { onRetry: () => { retries++ } })
    const ms = nowMs() - startAt
    const info = describeConnection(conn)
    await conn.close().catch(() => {})
    tell({ type: 'dialed', ok: info.transport === 'webrtc' && !info.limited, ms, retries, transport: info.transport })
  } catch (err) {
    tell({ type: 'dialed', ok: false, ms: nowMs() - startAt, retries, error: (err as Error).message })
  } finally {
    await node.stop()
  }
}

tell({ type: 'ready' })
serve(async (msg: WorkerMessage) => {
  if (msg.type === 'dial') await dialOnce(String(msg.addr))
})
