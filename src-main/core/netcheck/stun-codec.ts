/**
 * The part of STUN (RFC 5389, "Session Traversal Utilities for NAT") the network check needs: a Binding request and
 * the mapped address in a Binding success response. No authentication, no FINGERPRINT check: a Binding request needs
 * neither (RFC 5389 §10: "no authentication" is the usage of a plain Binding), and the response is matched by its
 * 96-bit transaction ID and its sender.
 */
import { randomBytes } from 'node:crypto'
import { FerryError } from '../errors/index.ts'

/** The magic cookie every RFC 5389 message carries in bytes 4–7 (RFC 5389 §6). */
export const MAGIC_COOKIE = 0x2112A442
/** Message type of a Binding request (method 0x001, class request; RFC 5389 §6, §18.1). */
export const BINDING_REQUEST = 0x0001
/** Message type of a Binding success response (RFC 5389 §6). */
export const BINDING_SUCCESS = 0x0101
/** Message type of a Binding error response (RFC 5389 §6). */
export const BINDING_ERROR = 0x0111
/** Attribute MAPPED-ADDRESS (RFC 5389 §15.1), sent by RFC 3489 servers. */
export const ATTR_MAPPED_ADDRESS = 0x0001
/** Attribute XOR-MAPPED-ADDRESS (RFC 5389 §15.2). */
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020
/** Length of the STUN header, bytes (RFC 5389 §6). */
export const HEADER_BYTES = 20
/** Length of a transaction ID, bytes (RFC 5389 §6: 96 bits). */
export const TRANSACTION_ID_BYTES = 12

/** A datagram that is not a well-formed STUN Binding response. */
export class StunDecodeError extends FerryError {
  static override name = 'StunDecodeError'
  constructor (message: string) {
    super('stun-malformed', message)
  }
}

/** A transport address a STUN server saw: the IP (dotted IPv4 or IPv6 text), the UDP port and the family. */
export interface MappedAddress {
  address: string
  port: number
  family: 'IPv4' | 'IPv6'
}

/** A decoded Binding response. */
export interface BindingResponse {
  /** `success` (0x0101) or `error` (0x0111). */
  kind: 'success' | 'error'
  transactionId: Buffer
  /** XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS; absent on an error response or when the server sent neither. */
  mapped?: MappedAddress
}

/** A new random 96-bit transaction ID (RFC 5389 §6: "uniformly and randomly chosen"). */
export function newTransactionId (): Buffer {
  return randomBytes(TRANSACTION_ID_BYTES)
}

/**
 * Encodes a Binding request with no attributes (20 bytes): type 0x0001, length 0, the magic cookie, the transaction
 * ID (RFC 5389 §6).
 *
 * @throws {RangeError} when `transactionId` is not 12 bytes
 */
export function encodeBindingRequest (transactionId: Buffer): Buffer {
  if (transactionId.length !== TRANSACTION_ID_BYTES) throw new RangeError('a STUN transaction ID is 12 bytes')
  const msg = Buffer.alloc(HEADER_BYTES)
  msg.writeUInt16BE(BINDING_REQUEST, 0)
  msg.writeUInt16BE(0, 2)
  msg.writeUInt32BE(MAGIC_COOKIE, 4)
  transactionId.copy(msg, 8)
  return msg
}

/**
 * Decodes a Binding response: checks the header (the two top bits zero, the magic cookie, a length that is a multiple
 * of 4 and matches the datagram; RFC 5389 §6), walks the attributes (type, length, value padded to 4 bytes; §15) and
 * reads XOR-MAPPED-ADDRESS (§15.2: port XOR the cookie's top 16 bits, IPv4 address XOR the cookie, IPv6 address XOR
 * the cookie and the transaction ID) or else MAPPED-ADDRESS (§15.1).
 *
 * @throws {StunDecodeError} when the datagram is not a Binding success or error response
 */
export function decodeBindingResponse (msg: Buffer): BindingResponse {
  if (msg.length < HEADER_BYTES) throw new StunDecodeError(`a STUN message has a 20-byte header, got ${msg.length} bytes`)
  const type = msg.readUInt16BE(0)
  const length = msg.readUInt16BE(2)
  if ((type & 0xC000) !== 0) throw new StunDecodeError('not a STUN message (the two top bits are set)')
  if (msg.readUInt32BE(4) !== MAGIC_COOKIE) throw new StunDecodeError('no STUN magic cookie')
  if (length % 4 !== 0 || HEADER_BYTES + length !== msg.length) throw new StunDecodeError('the STUN message length does not match the datagram')
  if (type !== BINDING_SUCCESS && type !== BINDING_ERROR) throw new StunDecodeError(`not a Binding response (type 0x${type.toString(16)})`)
  const transactionId = Buffer.from(msg.subarray(8, HEADER_BYTES))
  let xorMapped: MappedAddress | undefined
  let mapped: MappedAddress | undefined
  let offset = HEADER_BYTES
  while (offset + 4 <= msg.length) {
    const attrType = msg.readUInt16BE(offset)
    const attrLength = msg.readUInt16BE(offset + 2)
    const value = msg.subarray(offset + 4, offset + 4 + attrLength)
    if (value.length !== attrLength) throw new StunDecodeError('a STUN attribute runs past the end of the message')
    if (attrType === ATTR_XOR_MAPPED_ADDRESS) xorMapped = decodeAddress(value, msg.subarray(4, HEADER_BYTES))
    else if (attrType === ATTR_MAPPED_ADDRESS) mapped = decodeAddress(value)
    offset += 4 + Math.ceil(attrLength / 4) * 4
  }
  const found = xorMapped ?? mapped
  return { kind: type === BINDING_SUCCESS ? 'success' : 'error', transactionId, ...(found == null ? {} : { mapped: found }) }
}

/**
 * An address attribute's value (RFC 5389 §15.1): a zero byte, the family (0x01 IPv4, 0x02 IPv6), the port, the
 * address. With `xorKey` (the magic cookie followed by the transaction ID: bytes 4–19 of the header) it is
 * XOR-MAPPED-ADDRESS (§15.2).
 */
function decodeAddress (value: Buffer, xorKey?: Buffer): MappedAddress {
  if (value.length < 4) throw new StunDecodeError('a STUN address attribute is too short')
  const family = value.readUInt8(1)
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0
  if (size === 0) throw new StunDecodeError(`unknown STUN address family 0x${family.toString(16)}`)
  if (value.length !== 4 + size) throw new StunDecodeError('a STUN address attribute has the wrong length')
  const port = value.readUInt16BE(2) ^ (xorKey == null ? 0 : xorKey.readUInt16BE(0))
  const raw = Buffer.from(value.subarray(4))
  if (xorKey != null) for (let i = 0; i < size; i++) raw[i] = (raw[i] ?? 0) ^ (xorKey[i] ?? 0)
  if (size === 4) return { address: [...raw].join('.'), port, family: 'IPv4' }
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16))
  return { address: compressIPv6(groups), port, family: 'IPv6' }
}

/** The canonical text of an IPv6 address from its eight hex groups (RFC 5952 §4: the longest run of zeros as `::`). */
function compressIPv6 (groups: string[]): string {
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') { i++; continue }
    let j = i
    while (j < groups.length && groups[j] === '0') j++
    if (j - i > bestLength && j - i > 1) { bestStart = i; bestLength = j - i }
    i = j
  }
  if (bestStart < 0) return groups.join(':')
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`
}

/**
 * Encodes a Binding success response carrying XOR-MAPPED-ADDRESS for an IPv4 `mapped` (RFC 5389 §6, §15.2): what a
 * STUN server sends. Used by tests and the lab's stand-in servers.
 */
export function encodeBindingSuccess (transactionId: Buffer, mapped: { address: string, port: number }): Buffer {
  const msg = Buffer.alloc(HEADER_BYTES + 12)
  msg.writeUInt16BE(BINDING_SUCCESS, 0)
  msg.writeUInt16BE(12, 2)
  msg.writeUInt32BE(MAGIC_COOKIE, 4)
  transactionId.copy(msg, 8)
  msg.writeUInt16BE(ATTR_XOR_MAPPED_ADDRESS, 20)
  msg.writeUInt16BE(8, 22)
  msg.writeUInt8(0, 24)
  msg.writeUInt8(0x01, 25)
  msg.writeUInt16BE(mapped.port ^ (MAGIC_COOKIE >>> 16), 26)
  const octets = mapped.address.split('.').map(Number)
  for (let i = 0; i < 4; i++) msg.writeUInt8((octets[i] ?? 0) ^ msg.readUInt8(4 + i), 28 + i)
  return msg
}
