/**
 * This peer as shown on "My ID": peer ID, display name, the `ferry:` invite (text and QR code), the relay status and
 * the addresses others can dial now. Emits `identity` whenever any of it changes.
 *
 * Relay status: `none` without relays; `connecting` until `peer.reachableAddrs` succeeds (a reservation is held);
 * `reserved` then; `unreachable` when it throws `NoRelayError` (a `notice` says so). After a reservation, the node's
 * address changes keep the status current (`connecting` when the reservation is lost). While no reservation is held,
 * the relays are checked every {@link RELAY_RETRY_MS} ms and the app is told when one answers again.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr } from '@multiformats/multiaddr'
import QRCode from 'qrcode'
import type { IdentityView, RelayStatus } from '../api/index.ts'
import { encodeInvite, MAX_INVITE_RELAYS } from '../core/contacts/index.ts'
import type { Peer } from '../core/index.ts'
import { describeFailure } from './errors.ts'
import type { EventBus } from './events.ts'

/** Interval of the relay checks while no reservation is held, ms. */
export const RELAY_RETRY_MS = 30_000
/** Time one relay check (a dial of each relay) may take, ms. */
export const RELAY_PROBE_TIMEOUT_MS = 5_000

/** Follows one peer's identity; a new tracker is made when the peer restarts. */
export class IdentityTracker {
  private readonly bus: EventBus
  private readonly peer: Peer
  private readonly relays: string[]
  private displayName: string
  private status: RelayStatus
  private addrs: string[]
  private readonly controller = new AbortController()
  private readonly qrCache = new Map<string, string>()
  private lastJson = ''
  private reservedOnce = false
  private readonly onRelayReachable: (() => void) | undefined
  private readonly onSelfUpdate = (): void => { this.refreshAddrs() }

  constructor (init: { bus: EventBus, peer: Peer, relays: string[], displayName: string, onRelayReachable?: () => void }) {
    this.bus = init.bus
    this.onRelayReachable = init.onRelayReachable
    this.peer = init.peer
    this.relays = init.relays
    this.displayName = init.displayName
    this.status = init.relays.length === 0 ? 'none' : 'connecting'
    this.addrs = this.currentAddrs()
  }

  /** The relay status now. */
  get relayStatus (): RelayStatus {
    return this.status
  }

  /** Starts following the reservation and the node's addresses; resolves at once. */
  start (): void {
    this.peer.node.addEventListener('self:peer:update', this.onSelfUpdate)
    if (this.relays.length > 0) void this.reserve()
    else void this.publish()
  }

  /** Stops following; nothing is emitted afterwards. */
  stop (): void {
    this.controller.abort()
    this.peer.node.removeEventListener('self:peer:update', this.onSelfUpdate)
  }

  /** Changes the display name in the invite, and emits the new identity. */
  setDisplayName (name: string): void {
    this.displayName = name
    void this.publish()
  }

  /** The identity view now (the QR code is generated once per invite text). */
  async view (): Promise<IdentityView> {
    const invite = encodeInvite({ peerId: this.peer.peerId, name: this.displayName, relays: this.relays.slice(0, MAX_INVITE_RELAYS) })
    let svg = this.qrCache.get(invite)
    if (svg == null) {
      svg = await QRCode.toString(invite, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      this.qrCache.clear()
      this.qrCache.set(invite, svg)
    }
    return {
      peerId: this.peer.peerId, shortId: this.peer.peerId.slice(-8), displayName: this.displayName, invite,
      inviteQrSvg: svg, relayStatus: this.status, addrs: [...this.addrs]
    }
  }

  /**
   * Waits for a reservation; on `NoRelayError` says so once. Then, every {@link RELAY_RETRY_MS} ms while no
   * reservation is held (never made, or lost when the relay went away), dials the relays: when one answers,
   * `onRelayReachable` is called (the app restarts the peer, which reserves there).
   */
  private async reserve (): Promise<void> {
    const signal = this.controller.signal
    try {
      await this.peer.reachableAddrs({ signal })
      this.status = 'reserved'
      this.reservedOnce = true
      this.refreshAddrs()
    } catch (err) {
      if (signal.aborted) return
      this.status = 'unreachable'
      void this.publish()
      const { code, message } = describeFailure((err as { code?: string }).code ?? 'no-relay', (err as Error).message)
      this.bus.emit('notice', { level: 'warning', code, message })
    }
    while (!signal.aborted) {
      await sleep(RELAY_RETRY_MS, undefined, { signal }).catch(() => {})
      if (signal.aborted || this.status === 'reserved') continue
      if (await this.relayAnswers()) this.onRelayReachable?.()
    }
  }

  /** Whether any relay accepts a connection now (each dial bounded by {@link RELAY_PROBE_TIMEOUT_MS} ms). */
  private async relayAnswers (): Promise<boolean> {
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(RELAY_PROBE_TIMEOUT_MS)])
    try {
      await Promise.any(this.relays.map(async r => this.peer.node.dial(multiaddr(r), { signal })))
      return true
    } catch {
      return false
    }
  }

  /** WebRTC addresses via a relay (once reserved) and direct listen addresses. */
  private currentAddrs (): string[] {
    const all = this.peer.node.getMultiaddrs().map(String)
    return [...all.filter(a => a.includes('/p2p-circuit/webrtc/')), ...all.filter(a => !a.includes('/p2p-circuit'))]
  }

  private refreshAddrs (): void {
    if (this.controller.signal.aborted) return
    this.addrs = this.currentAddrs()
    // Once the first reservation was made, the addresses tell: a reservation lost shows `connecting` until renewed.
    if (this.reservedOnce) this.status = this.addrs.some(a => a.includes('/p2p-circuit/webrtc/')) ? 'reserved' : 'connecting'

    void this.publish()
  }

  /** Emits the identity if it changed since the last time. */
  private async publish (): Promise<void> {
    try {
      const view = await this.view()
      if (this.controller.signal.aborted) return
      const json = JSON.stringify(view)
      if (json === this.lastJson) return
      this.lastJson = json
      this.bus.emit('identity', view)
    } catch (err) {
      this.bus.emit('notice', { level: 'error', code: 'identity', message: `Could not show this device's identity: ${(err as Error).message}` })
    }
  }
}
