/**
 * NAT-PMP messages (RFC 6886, "NAT Port Mapping Protocol"): encoding the client's requests and checking the gateway's
 * responses. Every value a response carries is length- and range-checked here before anything uses it.
 */
import { FerryError } from '../../errors/index.ts'

/** The UDP port a NAT-PMP gateway listens on (RFC 6886 §3.1). */
export const NAT_PMP_SERVER_PORT = 5351
/** Protocol version of NAT-PMP (RFC 6886 §3.2): 0. */
const VERSION = 0
/** Opcodes (RFC 6886 §3.2, §3.3); a response carries the request's opcode + 128. */
const OP_EXTERNAL_ADDRESS = 0
const OP_MAP_UDP = 1
const OP_MAP_TCP = 2
const RESPONSE_BIT = 128

/**
 * Why a NAT-PMP request failed: the gateway's result codes 1–5 (RFC 6886 §3.5: `unsupported-version`,
 * `not-authorized`, `network-failure`, `out-of-resources`, `unsupported-opcode`), or `no-answer` (no valid response
 * after the retransmissions of §3.1), or `malformed` (a response too short or with values outside their range), or
 * `other-interface` (asked to map for an address that is not this host's towards the gateway: not sent).
 */
export type NatPmpProblem = 'unsupported-version' | 'not-authorized' | 'network-failure' | 'out-of-resources' | 'unsupported-opcode' | 'no-answer' | 'malformed' | 'other-interface'

const RESULT_PROBLEMS: Record<number, NatPmpProblem> = {
  1: 'unsupported-version', 2: 'not-authorized', 3: 'network-failure', 4: 'out-of-resources', 5: 'unsupported-opcode'
}

/** A NAT-PMP request that failed; `problem` says why (code `port-mapping-failed`). */
export class NatPmpError extends FerryError {
  static override name = 'NatPmpError'
  readonly problem: NatPmpProblem
  constructor (problem: NatPmpProblem, message: string) {
    super('port-mapping-failed', message)
    this.problem = problem
  }
}

/** The transport protocol of a mapping. */
export type MappingProtocol = 'TCP' | 'UDP'

/** External address request (RFC 6886 §3.2): version 0, opcode 0; 2 bytes. */
export function externalAddressRequest (): Uint8Array {
  return Uint8Array.of(VERSION, OP_EXTERNAL_ADDRESS)
}

/**
 * Mapping request (RFC 6886 §3.3): version, opcode (1 UDP, 2 TCP), 2 reserved zero bytes, internal port, suggested
 * external port, requested lifetime in seconds (all big-endian); 12 bytes. A deletion (§3.4) is lifetime 0 with
 * suggested external port 0.
 * @throws {RangeError} for a port outside 0–65535 or a lifetime outside 0–2^32-1 seconds
 */
export function mappingRequest (protocol: MappingProtocol, internalPort: number, externalPort: number, lifetimeS: number): Uint8Array {
  if (!isPort(internalPort) || !isPort(externalPort)) throw new RangeError(`Invalid port: ${internalPort} or ${externalPort}`)
  if (!Number.isInteger(lifetimeS) || lifetimeS < 0 || lifetimeS > 0xffffffff) throw new RangeError(`Invalid lifetime: ${lifetimeS}`)
  const buf = Buffer.alloc(12)
  buf.writeUInt8(VERSION, 0)
  buf.writeUInt8(protocol === 'UDP' ? OP_MAP_UDP : OP_MAP_TCP, 1)
  buf.writeUInt16BE(internalPort, 4)
  buf.writeUInt16BE(externalPort, 6)
  buf.writeUInt32BE(lifetimeS, 8)
  return buf
}

/**
 * Reads the response to an external address request (RFC 6886 §3.2: 12 bytes, opcode 128, result code, seconds since
 * start of epoch, external IPv4 address). Undefined when `msg` is not that response (another opcode or version: it is
 * ignored, as §3.1 lets a client do with unexpected packets).
 * @throws {NatPmpError} `malformed` for a response of that opcode shorter than 12 bytes; the gateway's result code
 *   when it is not 0 (success)
 */
export function readExternalAddressResponse (msg: Uint8Array): string | undefined {
  const buf = header(msg, OP_EXTERNAL_ADDRESS, 12)
  if (buf == null) return undefined
  return `${buf[8] ?? 0}.${buf[9] ?? 0}.${buf[10] ?? 0}.${buf[11] ?? 0}`
}

/** A granted mapping (RFC 6886 §3.3): the external port, and the lifetime the gateway granted in seconds. */
export interface GrantedMapping {
  internalPort: number
  externalPort: number
  lifetimeS: number
}

/**
 * Reads the response to a mapping request for `protocol` and `internalPort` (RFC 6886 §3.3: 16 bytes, opcode
 * 129/130, result code, epoch, internal port, mapped external port, lifetime in seconds). Undefined when `msg` is not
 * that response (another opcode, version or internal port).
 * @throws {NatPmpError} `malformed` for a response shorter than 16 bytes or mapping to port 0 with a lifetime; the
 *   gateway's result code when it is not 0
 */
export function readMappingResponse (msg: Uint8Array, protocol: MappingProtocol, internalPort: number): GrantedMapping | undefined {
  const buf = header(msg, protocol === 'UDP' ? OP_MAP_UDP : OP_MAP_TCP, 16)
  if (buf == null || buf.readUInt16BE(8) !== internalPort) return undefined
  const granted = { internalPort, externalPort: buf.readUInt16BE(10), lifetimeS: buf.readUInt32BE(12) }
  if (granted.lifetimeS > 0 && granted.externalPort === 0) throw new NatPmpError('malformed', 'The gateway mapped to external port 0')
  return granted
}

/** The response's bytes when it answers opcode `op` with result 0; undefined when it answers something else. */
function header (msg: Uint8Array, op: number, length: number): Buffer | undefined {
  const buf = Buffer.from(msg.buffer, msg.byteOffset, msg.byteLength)
  if (buf.length < 2 || buf[0] !== VERSION || buf[1] !== op + RESPONSE_BIT) return undefined
  if (buf.length >= 4) {
    const result = buf.readUInt16BE(2)
    if (result !== 0) throw new NatPmpError(RESULT_PROBLEMS[result] ?? 'malformed', `The NAT-PMP gateway answered with result code ${result}`)
  }
  if (buf.length < length) throw new NatPmpError('malformed', `A NAT-PMP response of ${buf.length} bytes (at least ${length} expected)`)
  return buf
}

function isPort (n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535
}
