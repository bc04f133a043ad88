/**
 * This peer as shown on "My ID": peer ID, display name, kind of device, the `ferry:` invite (text and QR code), the relay status,
 * the router port mapping's status (UPnP-IGD) and the addresses others can dial now (a mapped port's among them). Emits `identity` whenever any of it changes.
 *
 * Relay status: the core's relay reservations summarised (`peer.relays`, which retries unreachable relays in the
 * background): `none` without relays, `connecting`, `reserved`, `offline` (no route or DNS: nearby devices only) or
 * `unreachable`; the first time a start finds no relay, a `notice` says so.
 */
import QRCode from 'qrcode'
import type { IdentityView, RelayStatus } from '../api/index.ts'
import type { DeviceKind, Peer } from '../core/index.ts'
import { describeFailure } from './errors.ts'
import type { EventBus } from './events.ts'
import { inviteText } from './invite.ts'

/** Follows one peer's identity; a new tracker is made when the peer restarts. */
export class IdentityTracker {
  private readonly bus: EventBus
  private readonly peer: Peer
  private readonly relays: string[]
  private displayName: string
  private deviceKind: DeviceKind
  private status: RelayStatus
  private addrs: string[]
  private readonly controller = new AbortController()
  private readonly qrCache = new Map<string, string>()
  private lastJson = ''
  private noticeSent = false
  private readonly onSelfUpdate = (): void => { this.refreshAddrs() }
  private readonly onRelays = (): void => { this.followRelays() }
  private readonly onPortMapping = (): void => { this.refreshAddrs() }

  constructor (init: { bus: EventBus, peer: Peer, relays: string[], displayName: string, deviceKind: DeviceKind }) {
    this.bus = init.bus
    this.peer = init.peer
    this.relays = init.relays
    this.displayName = init.displayName
    this.deviceKind = init.deviceKind
    this.status = init.peer.relays.summary
    this.addrs = this.currentAddrs()
  }

  /** The relay status now. */
  get relayStatus (): RelayStatus {
    return this.status
  }

  /** Starts following the reservation and the node's addresses; resolves at once. */
  start (): void {
    this.peer.node.addEventListener('self:peer:update', this.onSelfUpdate)
    this.peer.relays.on('change', this.onRelays)
    this.peer.portMapping.on('change', this.onPortMapping)
    this.followRelays()
  }

  /** Stops following; nothing is emitted afterwards. */
  stop (): void {
    this.controller.abort()
    this.peer.node.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.peer.relays.off('change', this.onRelays)
    this.peer.portMapping.off('change', this.onPortMapping)
  }

  /** Changes the display name in the invite, and emits the new identity. */
  setDisplayName (name: string): void {
    this.displayName = name
    void this.publish()
  }

  /** Changes the kind of device in the invite, and emits the new identity. */
  setDeviceKind (kind: DeviceKind): void {
    this.deviceKind = kind
    void this.publish()
  }

  /** The identity view now (the QR code is generated once per invite text). */
  async view (): Promise<IdentityView> {
    const invite = inviteText(this.peer.peerId, this.displayName, this.relays, this.deviceKind)
    let svg = this.qrCache.get(invite)
    if (svg == null) {
      svg = await QRCode.toString(invite, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
      this.qrCache.clear()
      this.qrCache.set(invite, svg)
    }
    return {
      peerId: this.peer.peerId, shortId: this.peer.peerId.slice(-8), displayName: this.displayName, deviceKind: this.deviceKind, invite,
      inviteQrSvg: svg, relayStatus: this.status, upnp: this.peer.portMapping.status, addrs: [...this.addrs],
      ...(this.peer.portMapping.protocol == null ? {} : { upnpProtocol: this.peer.portMapping.protocol })
    }
  }

  /** Takes the relays' summary as the status; the first time no relay answers, a `notice` says so. */
  private followRelays (): void {
    if (this.controller.signal.aborted) return
    this.status = this.peer.relays.summary
    if ((this.status === 'offline' || this.status === 'unreachable') && !this.noticeSent) {
      this.noticeSent = true
      const { code, message } = describeFailure({ code: this.status === 'offline' ? 'offline' : 'no-relay' })
      this.bus.emit('notice', { level: 'warning', code, message })
    }
    this.refreshAddrs()
  }

  /** WebRTC addresses via a relay (once reserved) and direct listen addresses. */
  private currentAddrs (): string[] {
    const all = this.peer.node.getMultiaddrs().map(String)
    return [...all.filter(a => a.includes('/p2p-circuit/webrtc/')), ...all.filter(a => !a.includes('/p2p-circuit'))]
  }

  private refreshAddrs (): void {
    if (this.controller.signal.aborted) return
    this.addrs = this.currentAddrs()
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
