import { join } from 'node:path'
import { createRelay, DEFAULT_RELAY_LISTEN, IDENTITY_FILE, loadOrCreateIdentity } from '../../core/index.ts'
import { dataDirOf, interruptSignal } from '../options.ts'
import type { Output } from '../output.ts'
import { t } from '../../text/index.ts'

/** Options of `ferry relay`. */
export interface RelayOptions {
  listen?: string[]
  announce?: string[]
  dataDir?: string
  /** Carry file bytes for peers that cannot connect directly (unlimited relayed connections). */
  relayData?: boolean
}

/**
 * `ferry relay`: runs a circuit-relay-v2 relay until SIGINT/SIGTERM. Its identity lives in `<data dir>/relay/`, so its
 * peer ID — part of the address peers configure — is stable across restarts.
 */
export async function relayCommand (options: RelayOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  const keyDir = join(dataDirOf(options), 'relay')
  const privateKey = await loadOrCreateIdentity(keyDir)
  const relay = await createRelay({ privateKey, listen: options.listen ?? DEFAULT_RELAY_LISTEN, announce: options.announce, relayData: options.relayData === true })
  const addrs = relay.getMultiaddrs().map(String)
  const keyFile = join(keyDir, IDENTITY_FILE)
  out.event({ event: 'listening', peerId: relay.peerId.toString(), addrs, relayData: options.relayData === true, keyFile },
    t('cli.relay.running', { peerId: relay.peerId.toString(), keyFile, addrs: addrs.map(a => `  ${a}`).join('\n') }))
  await new Promise<void>(resolve => signal.addEventListener('abort', () => resolve(), { once: true }))
  await relay.stop()
  out.event({ event: 'stopped' }, t('cli.relay.stopped'))
  return 0
}
