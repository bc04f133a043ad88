/**
 * A NAT-PMP gateway (RFC 6886) in the shape `@libp2p/upnp-nat` drives (the `Gateway` of its port-mapping client), so
 * the module maps, announces and removes a NAT-PMP mapping exactly as it does a UPnP-IGD one.
 *
 * One UDP socket, connected to the gateway's port 5351: the kernel accepts datagrams from that address and port only
 * (RFC 6886 §3.1: a client discards responses not from the gateway), and the socket's local address is the internal
 * address the gateway maps to (NAT-PMP maps to the request's source address). One request at a time, retransmitted
 * after 250 ms, then each wait doubled (§3.1), up to the attempts given. Mappings ask for {@link REQUESTED_LIFETIME_S},
 * are renewed halfway to expiry (§3.3) and deleted on `unmap` and `stop` (lifetime 0, §3.4).
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import type { MapPortOptions, UPnPNATClient } from '@libp2p/upnp-nat'
import { logger } from '../../log/index.ts'
import { externalAddressRequest, mappingRequest, NAT_PMP_SERVER_PORT, NatPmpError, readExternalAddressResponse, readMappingResponse } from './wire.ts'
import type { GrantedMapping, MappingProtocol } from './wire.ts'

const log = logger('nat-pmp')

/** The port-mapping client's gateway, as `@libp2p/upnp-nat` uses it. */
export type Gateway = UPnPNATClient extends { findGateways: (...args: never[]) => AsyncGenerator<infer G> } ? G : never
type Mapping = Awaited<ReturnType<Gateway['map']>>

/** The lifetime asked for each mapping, in seconds: RFC 6886 §3.3's recommended 7200 (two hours). */
const REQUESTED_LIFETIME_S = 7200
/** First wait for a response, in ms; doubled after each retransmission (RFC 6886 §3.1). */
const FIRST_WAIT_MS = 250
/**
 * Attempts per request: 250 + 500 + 1000 + 2000 ms = 3.75 s in all. RFC 6886 §3.1 allows up to 9 (about 2 minutes);
 * a gateway on the LAN answers within milliseconds, and the search that probes for one lasts 5 s.
 */
const DEFAULT_ATTEMPTS = 4
/** After a failed renewal, the next try is this long later at most, in ms (or halfway to expiry, if sooner). */
const RENEW_RETRY_MS = 60_000
/**
 * Bounds of the lifetime a gateway grants, as used for renewals, in seconds: a grant over {@link REQUESTED_LIFETIME_S}
 * is renewed as if it were 7200 s (a timer over 2^31 ms would fire at once), one under 2 s as 2 s (renewals at most
 * every second, whatever the gateway says).
 */
const MIN_LIFETIME_S = 2

interface Held {
  protocol: MappingProtocol
  internalPort: number
  externalPort: number
  timer?: ReturnType<typeof setTimeout>
}

/** A NAT-PMP gateway at an IPv4 address; made by {@link openNatPmpGateway}. */
export class NatPmpGateway implements Gateway {
  readonly protocol = 'nat-pmp'
  readonly id: string
  readonly port = NAT_PMP_SERVER_PORT
  readonly family = 'IPv4'
  readonly host: string
  private readonly socket: Socket
  private readonly attempts: number
  private readonly held = new Map<string, Held>()
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  /** The gateway at IPv4 address `host`, over `socket` (connected to it); `attempts` per request (RFC 6886 §3.1). */
  constructor (host: string, socket: Socket, attempts = DEFAULT_ATTEMPTS) {
    this.host = host
    this.socket = socket
    this.attempts = attempts
    this.id = `nat-pmp:${host}`
    socket.on('error', (err) => { log.error('NAT-PMP socket: %s', err.message) })
  }

  /** The address this host has towards the gateway: the internal address of every mapping. */
  get internalHost (): string {
    return this.socket.address().address
  }

  /**
   * The gateway's external IPv4 address (RFC 6886 §3.2).
   * @throws {NatPmpError} `no-answer`, `malformed` or the gateway's result; an abort error when `options.signal` aborts
   */
  async externalIp (options?: { signal?: AbortSignal }): Promise<string> {
    const ip = await this.transact(externalAddressRequest(), msg => readExternalAddressResponse(msg), options?.signal)
    log('gateway %s: external address %s', this.host, ip)
    return ip
  }

  /**
   * Maps an external port (the suggested `options.externalPort`, default `internalPort`; the gateway may choose
   * another) to `internalPort` on this host for {@link REQUESTED_LIFETIME_S} (RFC 6886 §3.3), renewed halfway to expiry
   * until `unmap` or `stop`.
   * @throws {NatPmpError} `other-interface` when `internalHost` is not this host's address towards the gateway
   *   (NAT-PMP can only map to the request's sender), else as {@link externalIp}
   */
  async map (internalPort: number, internalHost: string, options?: MapPortOptions): Promise<Mapping> {
    if (internalHost !== this.internalHost) throw new NatPmpError('other-interface', `NAT-PMP maps to this host's address towards the gateway (${this.internalHost}), not ${internalHost}`)
    const protocol: MappingProtocol = options?.protocol?.toUpperCase() === 'UDP' ? 'UDP' : 'TCP'
    const granted = await this.request(protocol, internalPort, options?.externalPort ?? internalPort, REQUESTED_LIFETIME_S, options?.signal)
    if (granted.lifetimeS === 0) throw new NatPmpError('malformed', `The NAT-PMP gateway granted port ${internalPort} a lifetime of 0 s`)
    // Held (renewed, deleted at stop) from the moment the gateway granted it, even if the address request fails.
    this.hold({ protocol, internalPort, externalPort: granted.externalPort }, granted.lifetimeS)
    const externalHost = await this.externalIp(options)
    log('gateway %s: mapped %s %s:%d to %s:%d for %d s', this.host, protocol, internalHost, internalPort, externalHost, granted.externalPort, granted.lifetimeS)
    return { externalHost, externalPort: granted.externalPort, internalHost, internalPort, protocol }
  }

  /** {@link map} of `internalPort` on this host's address towards the gateway (the only one NAT-PMP can map). */
  async* mapAll (internalPort: number, options?: MapPortOptions): AsyncGenerator<Mapping, void, unknown> {
    yield await this.map(internalPort, this.internalHost, options)
  }

  /** Deletes the mappings of `internalPort` (RFC 6886 §3.4); a no-op for a port not mapped. */
  async unmap (internalPort: number, options?: { signal?: AbortSignal }): Promise<void> {
    for (const [key, held] of this.held) {
      if (held.internalPort !== internalPort) continue
      clearTimeout(held.timer)
      this.held.delete(key)
      await this.request(held.protocol, internalPort, 0, 0, options?.signal)
      log('gateway %s: deleted the %s mapping of port %d', this.host, held.protocol, internalPort)
    }
  }

  /** Deletes every mapping (best effort, within `options.signal`) and closes the socket. */
  async stop (options?: { signal?: AbortSignal }): Promise<void> {
    if (this.closed) return
    try {
      for (const port of new Set([...this.held.values()].map(h => h.internalPort))) {
        await this.unmap(port, options).catch((err: Error) => { log.error('could not delete the mapping of port %d: %s', port, err.message) })
      }
    } finally {
      this.close()
    }
  }

  /** Closes the socket without deleting anything (a gateway that never mapped). */
  close (): void {
    if (this.closed) return
    this.closed = true
    for (const held of this.held.values()) clearTimeout(held.timer)
    this.held.clear()
    this.socket.close()
  }

  private hold (mapping: Held, lifetimeS: number): void {
    const key = `${mapping.protocol}:${mapping.internalPort}`
    clearTimeout(this.held.get(key)?.timer)
    this.held.set(key, mapping)
    this.renewHalfway(mapping, key, lifetimeS)
  }

  /** Renews halfway to the end of `lifetimeS` (RFC 6886 §3.3), bounded by {@link MIN_LIFETIME_S} and 7200 s. */
  private renewHalfway (mapping: Held, key: string, lifetimeS: number): void {
    const lifetimeMs = Math.min(Math.max(lifetimeS, MIN_LIFETIME_S), REQUESTED_LIFETIME_S) * 1000
    this.renewIn(mapping, key, lifetimeMs / 2, lifetimeMs)
  }

  /** Renews `mapping` after `delayMs`, asking for its external port again; a failure retries until `leftMs` runs out. */
  private renewIn (mapping: Held, key: string, delayMs: number, leftMs: number): void {
    if (this.closed || delayMs <= 0) return
    mapping.timer = setTimeout(() => {
      if (this.held.get(key) !== mapping) return
      this.request(mapping.protocol, mapping.internalPort, mapping.externalPort, REQUESTED_LIFETIME_S, AbortSignal.timeout(10_000)).then(granted => {
        if (this.held.get(key) !== mapping) return
        if (granted.externalPort !== mapping.externalPort) log.error('gateway %s: the renewal moved port %d to %d', this.host, mapping.externalPort, granted.externalPort)
        mapping.externalPort = granted.externalPort
        log('gateway %s: renewed %s port %d for %d s', this.host, mapping.protocol, mapping.internalPort, granted.lifetimeS)
        this.renewHalfway(mapping, key, granted.lifetimeS)
      }, (err: Error) => {
        const left = leftMs - delayMs
        const retryMs = Math.min(RENEW_RETRY_MS, left / 2)
        log.error('gateway %s: renewing port %d failed (%s); %d ms of its lifetime left', this.host, mapping.internalPort, err.message, left)
        if (retryMs >= (MIN_LIFETIME_S * 1000) / 2) this.renewIn(mapping, key, retryMs, left)
        else if (this.held.get(key) === mapping) this.held.delete(key)
      })
    }, delayMs)
    mapping.timer.unref()
  }

  private async request (protocol: MappingProtocol, internalPort: number, externalPort: number, lifetimeS: number, signal?: AbortSignal): Promise<GrantedMapping> {
    return await this.transact(mappingRequest(protocol, internalPort, externalPort, lifetimeS), msg => readMappingResponse(msg, protocol, internalPort), signal)
  }

  /**
   * Sends `request` and resolves with the first datagram `read` accepts, retransmitting per RFC 6886 §3.1; requests
   * wait for each other (responses carry no transaction ID, only the opcode).
   */
  private async transact<T> (request: Uint8Array, read: (msg: Uint8Array) => T | undefined, signal?: AbortSignal): Promise<T> {
    const run = this.queue.then(async () => await this.exchange(request, read, signal))
    this.queue = run.catch(() => {})
    return await run
  }

  private async exchange<T> (request: Uint8Array, read: (msg: Uint8Array) => T | undefined, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted()
    if (this.closed) throw new NatPmpError('no-answer', 'The NAT-PMP client is closed')
    return await new Promise<T>((resolve, reject) => {
      let attempt = 0
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = (): void => {
        clearTimeout(timer)
        this.socket.off('message', onMessage)
        signal?.removeEventListener('abort', onAbort)
      }
      const onMessage = (msg: Buffer): void => {
        try {
          const value = read(msg)
          if (value === undefined) return
          done()
          resolve(value)
        } catch (err) {
          done()
          reject(err)
        }
      }
      const onAbort = (): void => { done(); reject(signal?.reason) }
      const send = (): void => {
        if (attempt === this.attempts || this.closed) {
          done()
          reject(new NatPmpError('no-answer', `The NAT-PMP gateway ${this.host} did not answer ${attempt} requests${this.closed ? ' (client closed)' : ''}`))
          return
        }
        const wait = FIRST_WAIT_MS * 2 ** attempt
        attempt++
        this.socket.send(request, (err) => { if (err != null) log.error('NAT-PMP send: %s', err.message) })
        timer = setTimeout(send, wait)
      }
      this.socket.on('message', onMessage)
      signal?.addEventListener('abort', onAbort, { once: true })
      send()
    })
  }
}

/**
 * A NAT-PMP client for the gateway at IPv4 address `host`: a UDP socket connected to `host`:5351.
 * @throws the socket's error (e.g. no route to `host`)
 */
export async function openNatPmpGateway (host: string, attempts = DEFAULT_ATTEMPTS): Promise<NatPmpGateway> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => { socket.close(); reject(err) })
    socket.connect(NAT_PMP_SERVER_PORT, host, () => { socket.removeAllListeners('error'); resolve() })
  })
  return new NatPmpGateway(host, socket, attempts)
}
