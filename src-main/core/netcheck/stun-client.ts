/**
 * Asking STUN servers what address they see (RFC 5389 Binding), all from **one** local UDP socket — so the answers of
 * two servers can be compared to tell the NAT's mapping behaviour (RFC 5780 §4.3; ./mapping.ts).
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { throwIfAborted } from '../errors/index.ts'
import { decodeBindingResponse, encodeBindingRequest, newTransactionId } from './stun-codec.ts'
import type { MappedAddress } from './stun-codec.ts'

/** Default port of a `stun:`/`turn:` URL without one (RFC 7064 §3.1, RFC 7065 §3.1). */
export const STUN_DEFAULT_PORT = 3478
/** First retransmission timeout of a Binding request over UDP, ms (RFC 5389 §7.2.1: "SHOULD be 500 ms"); it doubles. */
export const STUN_RTO_MS = 500
/** Longest wait for one server's answer, ms (RFC 5389 §7.2.1 allows 39.5 s; a check a person waits for stops sooner). */
export const STUN_TIMEOUT_MS = 3_000
/** Longest wait for a STUN server's name to resolve, ms. */
export const STUN_LOOKUP_TIMEOUT_MS = 3_000

/** A STUN server taken from an ICE server URL. */
export interface StunServer {
  /** The ICE server URL as configured, credentials removed (`stun:host:port`, `turn:host:port?transport=udp`). */
  url: string
  host: string
  port: number
}

/** Why a server gave no mapped address. */
export type StunProblem =
  /** Its name did not resolve to an IPv4 address. */
  | 'dns-failed'
  /** No answer within the timeout (UDP blocked, or the server is down). */
  | 'no-answer'
  /** No route to it (`ENETUNREACH`, `EHOSTUNREACH`). */
  | 'unreachable'
  /** It answered with a Binding error response, or a success without a mapped address. */
  | 'bad-answer'
  /** An IPv6 server: the check asks over IPv4 only. */
  | 'not-ipv4'

/** One server's answer to a Binding request. */
export interface StunAnswer {
  server: StunServer
  /** The IPv4 address asked (the server's name resolved). */
  ip?: string
  /** The address this host's socket has as the server saw it (XOR-MAPPED-ADDRESS). */
  mapped?: MappedAddress
  /** From the first request sent to the answer, ms. */
  rttMs?: number
  problem?: StunProblem
}

/**
 * The STUN servers among ICE server URLs (`config.parseIceServers` syntax): `stun:host[:port]` and
 * `turn:[USER:PASSWORD@]host[:port][?transport=udp]` (a TURN server answers Binding requests too: RFC 8656 §2).
 * `stuns:`, `turns:` and `?transport=tcp` URLs are left out (they are not asked over UDP). Credentials are dropped.
 */
export function stunServersOf (iceServers: readonly string[]): StunServer[] {
  const servers: StunServer[] = []
  for (const url of iceServers) {
    const m = /^(stun|turn):(?:[^@]*@)?(\[[0-9a-fA-F:.]+\]|[^:/?@]+)(?::(\d+))?(\?.*)?$/.exec(url)
    if (m == null) continue
    const [, scheme, rawHost = '', rawPort, query] = m
    if (query != null && /transport=tcp/i.test(query)) continue
    const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost
    const port = rawPort == null ? STUN_DEFAULT_PORT : Number(rawPort)
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue
    const shown = `${scheme}:${rawHost}${rawPort == null ? '' : `:${rawPort}`}${query ?? ''}`
    if (!servers.some(s => s.host === host && s.port === port)) servers.push({ url: shown, host, port })
  }
  return servers
}

/** Options of {@link queryStunServers}. */
export interface StunQueryOptions {
  /** Longest wait for each server, ms (default {@link STUN_TIMEOUT_MS}). */
  timeoutMs?: number
  /** Local address to bind the one UDP socket to (default every interface, `0.0.0.0`), and port (default any). */
  bind?: { address?: string, port?: number }
  signal?: AbortSignal
}

/** What {@link queryStunServers} found: the local socket's address and each server's answer, in order. */
export interface StunQueryResult {
  /** The local UDP socket every request left from. */
  local: { address: string, port: number }
  answers: StunAnswer[]
}

/**
 * Sends a Binding request (RFC 5389 §7.2.1) to every server at once from one UDP/IPv4 socket, retransmitting after
 * {@link STUN_RTO_MS}, doubling, until `timeoutMs`; an answer counts only from the address asked and with the
 * request's transaction ID. Never throws for a server that does not answer (its {@link StunAnswer.problem} says why);
 * the socket is closed before it returns.
 *
 * @throws {AbortedError} when `signal` aborts; the socket's error (e.g. `EADDRINUSE`) when it cannot be bound
 */
export async function queryStunServers (servers: readonly StunServer[], options: StunQueryOptions = {}): Promise<StunQueryResult> {
  const { signal } = options
  throwIfAborted(signal)
  const timeoutMs = options.timeoutMs ?? STUN_TIMEOUT_MS
  const socket = createSocket({ type: 'udp4' })
  try {
    await bind(socket, options.bind?.address ?? '0.0.0.0', options.bind?.port ?? 0)
    const local = socket.address()
    const answers = await Promise.all(servers.map(async server => ask(socket, server, timeoutMs, signal)))
    throwIfAborted(signal)
    return { local: { address: local.address, port: local.port }, answers }
  } finally {
    socket.close()
  }
}

async function bind (socket: Socket, address: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, address, () => {
      socket.off('error', reject)
      // Later socket errors (an ICMP error reported on the socket) must not crash the process: each send reports its own.
      socket.on('error', () => {})
      resolve()
    })
  })
}

/** The IPv4 address of `host` (a literal, or resolved), or undefined with the reason. */
async function ipv4Of (host: string, signal?: AbortSignal): Promise<{ ip?: string, problem?: StunProblem }> {
  const kind = isIP(host)
  if (kind === 4) return { ip: host }
  if (kind === 6) return { problem: 'not-ipv4' }
  const timeout = AbortSignal.timeout(STUN_LOOKUP_TIMEOUT_MS)
  const bounded = signal == null ? timeout : AbortSignal.any([signal, timeout])
  try {
    const found = await Promise.race([
      lookup(host, { family: 4 }),
      new Promise<never>((_resolve, reject) => {
        bounded.addEventListener('abort', () => reject(bounded.reason), { once: true })
      })
    ])
    return { ip: found.address }
  } catch {
    throwIfAborted(signal)
    return { problem: 'dns-failed' }
  }
}

/** One server: resolve, send, retransmit, wait for the matching answer. */
async function ask (socket: Socket, server: StunServer, timeoutMs: number, signal?: AbortSignal): Promise<StunAnswer> {
  const { ip, problem } = await ipv4Of(server.host, signal)
  if (ip == null) return { server, problem }
  const transactionId = newTransactionId()
  const request = encodeBindingRequest(transactionId)
  const started = performance.now()
  return await new Promise<StunAnswer>((resolve) => {
    const timers: NodeJS.Timeout[] = []
    const finish = (answer: StunAnswer): void => {
      for (const t of timers) clearTimeout(t)
      socket.off('message', onMessage)
      signal?.removeEventListener('abort', onAbort)
      resolve(answer)
    }
    // The caller throws the abort reason once every server has stopped waiting.
    const onAbort = (): void => { finish({ server, ip, problem: 'no-answer' }) }
    const onMessage = (msg: Buffer, from: { address: string, port: number }): void => {
      if (from.address !== ip || from.port !== server.port) return
      let decoded
      try {
        decoded = decodeBindingResponse(msg)
      } catch {
        return // not an answer to this request: keep waiting
      }
      if (!decoded.transactionId.equals(transactionId)) return
      const rttMs = Math.round(performance.now() - started)
      if (decoded.kind !== 'success' || decoded.mapped == null) finish({ server, ip, rttMs, problem: 'bad-answer' })
      else finish({ server, ip, rttMs, mapped: decoded.mapped })
    }
    const send = (): void => {
      socket.send(request, server.port, ip, (err) => {
        const code = (err as NodeJS.ErrnoException | null)?.code
        if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'ENETDOWN') finish({ server, ip, problem: 'unreachable' })
      })
    }
    socket.on('message', onMessage)
    signal?.addEventListener('abort', onAbort, { once: true })
    // Retransmissions at 0, RTO, 3·RTO, 7·RTO, … (RFC 5389 §7.2.1), within the timeout.
    for (let at = 0, rto = STUN_RTO_MS; at < timeoutMs; at += rto, rto *= 2) timers.push(setTimeout(send, at))
    timers.push(setTimeout(() => finish({ server, ip, problem: 'no-answer' }), timeoutMs))
  })
}
