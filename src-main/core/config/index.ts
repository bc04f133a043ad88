/**
 * Which network services Ferry uses by default, and the parsing of the values that replace them.
 *
 * Every network default can be replaced or turned off by a host: ICE servers with `--ice-servers <url,…|none>` or
 * `FERRY_ICE_SERVERS` (a TURN server with its credentials: `turn:USER:PASSWORD@host:3478`), relays with
 * `--relay <multiaddr>` or `FERRY_RELAYS` (comma-separated, or `none`). The core reads no environment: hosts read
 * it (src-main/app/environment.ts) and pass the values here. Tests set both, so they never contact anything beyond
 * loopback.
 *
 * @example
 * ```ts
 * const net = resolveNetwork({ relays: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3…'], iceServers: 'none' })
 * // { relays: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3…'], iceServers: [] }; absent values give the defaults below
 * ```
 */
import { multiaddr } from '@multiformats/multiaddr'
import { FerryError } from '../errors/index.ts'

/**
 * STUN servers used when none are configured: they tell a peer its public address (RFC 8489) so WebRTC can connect
 * through NATs. They see only that the peer asked, never the transfer.
 */
export const DEFAULT_ICE_SERVERS: readonly string[] = Object.freeze([
  'stun:stun.l.google.com:19302',
  'stun:stun.cloudflare.com:3478'
])

/**
 * Circuit relays used when none are configured: the public libp2p bootstrap nodes, which accept circuit-relay-v2
 * reservations with the default limits (2 minutes, 128 KiB per relayed connection) — enough for the SDP and ICE
 * exchange, never for file bytes. Run `ferry relay` for your own.
 */
export const DEFAULT_RELAYS: readonly string[] = Object.freeze([
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb',
  '/dnsaddr/bootstrap.libp2p.io/p2p/QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt'
])

/** An option value that could not be understood (a malformed multiaddr or ICE server URL). */
export class ConfigError extends FerryError {
  static override name = 'ConfigError'
  constructor (message: string, options?: ErrorOptions) {
    super('invalid-config', message, options)
  }
}

/** Resolved network settings: ICE server URLs and relay multiaddrs (either may be empty: turned off). */
export interface NetworkConfig {
  iceServers: string[]
  relays: string[]
}

function splitList (value: string): string[] {
  return value.split(',').map(s => s.trim()).filter(s => s !== '')
}

/**
 * Parses ICE server URLs (RFC 7064 `stun:`/`stuns:` and RFC 7065 `turn:`/`turns:` URIs), comma-separated, or `none`.
 * A TURN URL carries its credentials before the host: `turn:USER:PASSWORD@host:3478?transport=udp` (percent-encode
 * reserved characters; see {@link toRtcIceServer}).
 *
 * @throws {ConfigError} on a URL of another scheme, or credentials on a STUN URL
 */
export function parseIceServers (value: string): string[] {
  if (value.trim() === 'none') return []
  const urls = splitList(value)
  for (const url of urls) {
    if (!/^(stun|stuns|turn|turns):[^\s]+$/.test(url)) throw new ConfigError(`"${redactIceUrl(url)}" is not a STUN or TURN server URL (stun:host:port)`)
    if (/^stuns?:/.test(url) && url.includes('@')) throw new ConfigError(`"${redactIceUrl(url)}": a STUN server URL takes no credentials`)
    if (/^turns?:/.test(url)) splitTurnCredentials(url)
  }
  return urls
}

/** An ICE server as `RTCPeerConnection` takes it (W3C WebRTC `RTCIceServer`). */
export interface RtcIceServer {
  urls: string
  username?: string
  credential?: string
}

/**
 * Turns one ICE server URL from {@link parseIceServers} into an `RTCIceServer`: the credentials of
 * `turn:USER:PASSWORD@host:port?transport=udp` become `username` and `credential` (percent-decoded), the rest the URL.
 * node-datachannel passes credentials to libdatachannel inside a URL again, so a user name may not contain `:` or `@`
 * and a password may not contain `@` (after decoding); libdatachannel's ICE agent (libjuice) speaks TURN over UDP only,
 * `?transport=tcp` and `turns:` servers are ignored by it.
 *
 * @throws {ConfigError} for a TURN URL without credentials, or with credentials node-datachannel cannot carry
 */
export function toRtcIceServer (url: string): RtcIceServer {
  if (!/^turns?:/.test(url)) return { urls: url }
  const { urls, username, credential } = splitTurnCredentials(url)
  if (username == null || credential == null) {
    throw new ConfigError(`TURN server "${url}" needs credentials: turn:USER:PASSWORD@host:port`)
  }
  return { urls, username, credential }
}

/** Splits `turn:USER:PASSWORD@rest` into `turn:rest` and the decoded credentials (none when there is no `@`). */
function splitTurnCredentials (url: string): RtcIceServer {
  const colon = url.indexOf(':')
  const at = url.lastIndexOf('@')
  if (at < 0) return { urls: url }
  const scheme = url.slice(0, colon)
  const userinfo = url.slice(colon + 1, at)
  const sep = userinfo.indexOf(':')
  let username: string
  let credential: string
  try {
    username = decodeURIComponent(sep < 0 ? userinfo : userinfo.slice(0, sep))
    credential = decodeURIComponent(sep < 0 ? '' : userinfo.slice(sep + 1))
  } catch (err) {
    throw new ConfigError(`"${redactIceUrl(url)}": malformed percent-encoding in the TURN credentials`, { cause: err })
  }
  const rest = url.slice(at + 1)
  if (username === '' || credential === '') throw new ConfigError(`"${redactIceUrl(url)}": a TURN URL takes both a user name and a password (turn:USER:PASSWORD@host:port)`)
  if (/[:@]/.test(username) || credential.includes('@')) throw new ConfigError(`"${redactIceUrl(url)}": a TURN user name may not contain ":" or "@", nor a password "@"`)
  if (!/^[^\s/@]+$/.test(rest)) throw new ConfigError(`"${redactIceUrl(url)}" is not a TURN server URL (turn:USER:PASSWORD@host:port)`)
  return { urls: `${scheme}:${rest}`, username, credential }
}

/** The URL with any credentials replaced by `***`, for error messages. */
function redactIceUrl (url: string): string {
  const at = url.lastIndexOf('@')
  const colon = url.indexOf(':')
  return at < 0 ? url : `${url.slice(0, colon + 1)}***@${url.slice(at + 1)}`
}

/**
 * Parses relay multiaddrs (each must end in `/p2p/<relay peer ID>`), comma-separated, or `none`.
 *
 * @throws {ConfigError} on a malformed multiaddr or one without the relay's peer ID
 */
export function parseRelays (value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? (value.trim() === 'none' ? [] : splitList(value)) : value.flatMap(splitList)
  if (items.length === 1 && items[0] === 'none') return []
  for (const item of items) {
    let ma
    try {
      ma = multiaddr(item)
    } catch (err) {
      throw new ConfigError(`"${item}" is not a multiaddr`, { cause: err })
    }
    if (ma.getComponents().at(-1)?.name !== 'p2p') throw new ConfigError(`Relay address "${item}" must end with /p2p/<relay peer ID>`)
  }
  return items
}

/**
 * Network settings from the values a host gathered (its flags, else its environment), else the defaults: ICE server
 * URLs (`none` for none) and relay multiaddrs (a list, or one comma-separated string; `none` for none).
 *
 * @throws {ConfigError} on a malformed value
 */
export function resolveNetwork (values: { iceServers?: string, relays?: string | readonly string[] }): NetworkConfig {
  const ice = values.iceServers
  const relays = Array.isArray(values.relays) && values.relays.length === 0 ? undefined : values.relays
  return {
    iceServers: ice == null || ice === '' ? [...DEFAULT_ICE_SERVERS] : parseIceServers(ice),
    relays: relays == null || relays === '' ? [...DEFAULT_RELAYS] : parseRelays(relays)
  }
}

export { ensurePrivateDir, PRIVATE_FILE_MODE, tightenPrivateFiles } from './private-dir.ts'
