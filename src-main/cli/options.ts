import { resolve } from 'node:path'
import { dataDirFrom, mdnsEnabled, readEnvironment, upnpEnabled } from '../app/index.ts'
import { resolveNetwork } from '../core/index.ts'
import type { NetworkConfig } from '../core/index.ts'

/** This process's `FERRY_*` environment, read once. */
export const environment = readEnvironment()

/** Options every peer command shares. */
export interface PeerOptions {
  dataDir?: string
  relay?: string[]
  iceServers?: string
  listen?: string[]
  json?: boolean
}

/** Collects a repeatable option into an array (commander). */
export function collect (value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** The data directory: `--data-dir`, else `FERRY_DATA_DIR`, else the platform's app-data folder. */
export function dataDirOf (options: PeerOptions): string {
  return resolve(options.dataDir ?? dataDirFrom(environment))
}

/** Network settings from the options, else `FERRY_RELAYS` / `FERRY_ICE_SERVERS`, else the defaults. */
export function networkOf (options: PeerOptions): NetworkConfig {
  return resolveNetwork({ relays: options.relay != null && options.relay.length > 0 ? options.relay : environment.relays, iceServers: options.iceServers ?? environment.iceServers })
}

/** Whether LAN discovery (mDNS) is on: not with `--no-mdns` (`flag` false) or `FERRY_MDNS=off`. */
export function mdnsOf (flag?: boolean): boolean {
  return mdnsEnabled(flag, environment)
}

/** Whether router port mapping (UPnP-IGD, or NAT-PMP when no IGD answers) is allowed: not with `--no-upnp` (`flag` false) or `FERRY_UPNP=off`. */
export function upnpOf (flag?: boolean): boolean {
  return upnpEnabled(flag, environment)
}

/**
 * An AbortSignal that aborts on SIGINT or SIGTERM, so commands stop cleanly (cancelling a transfer tells the peer).
 * A second signal exits at once.
 */
export function interruptSignal (): AbortSignal {
  const controller = new AbortController()
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130)
    controller.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  controller.signal.addEventListener('abort', () => {
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
  return controller.signal
}
