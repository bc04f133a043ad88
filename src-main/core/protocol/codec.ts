import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolError } from './errors.ts'
import { ControlMessage } from './messages.ts'
import {
  FRAME_CONTROL, FRAME_DATA, FRAME_HEADER_BYTES, MAX_CONTROL_BYTES, MAX_DATA_BYTES
} from './constants.ts'

/**
 * Framing of the transfer protocol (docs/PROTOCOL.md, "Framing"): every frame is
 * `type (1 byte) | length (4 bytes, unsigned big-endian) | payload (length bytes)`.
 * A control frame's payload is one UTF-8 JSON message; a data frame's payload is file bytes.
 */

/** A decoded frame: a validated control message, or the bytes of a data frame. */
export type Frame =
  | { kind: 'control', message: ControlMessage }
  | { kind: 'data', bytes: Uint8Array }

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

function header (type: number, length: number): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_BYTES)
  h[0] = type
  new DataView(h.buffer).setUint32(1, length)
  return h
}

/**
 * Encodes a control message as one frame.
 *
 * @throws {ProtocolError} if the encoded message is over `MAX_CONTROL_BYTES` (8 MiB)
 */
export function encodeControl (message: ControlMessage): Uint8Array {
  const json = encoder.encode(JSON.stringify(message))
  if (json.byteLength > MAX_CONTROL_BYTES) {
    throw new ProtocolError(`A ${message.type} message of ${json.byteLength} bytes is over the ${MAX_CONTROL_BYTES}-byte limit`)
  }
  const frame = new Uint8Array(FRAME_HEADER_BYTES + json.byteLength)
  frame.set(header(FRAME_CONTROL, json.byteLength))
  frame.set(json, FRAME_HEADER_BYTES)
  return frame
}

/**
 * Encodes file bytes as one data frame without copying them: the result is a list of the header and `bytes`,
 * which libp2p's `stream.send()` accepts as is.
 *
 * @throws {ProtocolError} if `bytes` is over `MAX_DATA_BYTES` (256 KiB)
 */
export function encodeData (bytes: Uint8Array): Uint8ArrayList {
  if (bytes.byteLength > MAX_DATA_BYTES) {
    throw new ProtocolError(`A data frame of ${bytes.byteLength} bytes is over the ${MAX_DATA_BYTES}-byte limit`)
  }
  return new Uint8ArrayList(header(FRAME_DATA, bytes.byteLength), bytes)
}

/**
 * Incremental frame decoder. Feed it whatever the stream delivers with {@link FrameDecoder.push}; it returns the
 * complete frames so far. A frame's type and length are checked as soon as its header arrives, so a peer cannot make
 * the decoder buffer more than the limit of that frame type.
 */
export class FrameDecoder {
  private readonly buffer = new Uint8ArrayList()

  /** Bytes held that do not yet form a whole frame. */
  get bufferedBytes (): number {
    return this.buffer.byteLength
  }

  /**
   * Appends `chunk` and returns every frame it completes, in order.
   *
   * @throws {ProtocolError} on an unknown frame type, a length over the type's limit, a control payload that is not
   *   UTF-8 JSON, or a control message that does not match its schema
   */
  push (chunk: Uint8Array | Uint8ArrayList): Frame[] {
    return this.pushSized(chunk).map(f => f.frame)
  }

  /**
   * Like {@link push}, but each frame comes with its size on the wire (header + payload, bytes), and the payload
   * limits may be lowered (never raised) for the frames this call completes — a side that expects nothing but a short
   * message refuses a larger frame from its header.
   *
   * @param limits.control - largest control payload accepted, bytes (default and at most `MAX_CONTROL_BYTES`)
   * @param limits.data - largest data payload accepted, bytes (default and at most `MAX_DATA_BYTES`)
   * @throws {ProtocolError} as {@link push}
   */
  pushSized (chunk: Uint8Array | Uint8ArrayList, limits: { control?: number, data?: number } = {}): Array<{ frame: Frame, bytes: number }> {
    this.buffer.append(chunk)
    const frames: Array<{ frame: Frame, bytes: number }> = []
    const controlLimit = Math.min(limits.control ?? MAX_CONTROL_BYTES, MAX_CONTROL_BYTES)
    const dataLimit = Math.min(limits.data ?? MAX_DATA_BYTES, MAX_DATA_BYTES)
    while (this.buffer.byteLength >= FRAME_HEADER_BYTES) {
      const type = this.buffer.get(0)
      const length = this.buffer.getUint32(1)
      const limit = type === FRAME_CONTROL ? controlLimit : type === FRAME_DATA ? dataLimit : -1
      if (limit < 0) throw new ProtocolError(`Unknown frame type 0x${type.toString(16).padStart(2, '0')}`)
      if (length > limit) throw new ProtocolError(`A frame of ${length} bytes is over the ${limit}-byte limit for its type`)
      if (this.buffer.byteLength < FRAME_HEADER_BYTES + length) break
      const payload = this.buffer.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length)
      this.buffer.consume(FRAME_HEADER_BYTES + length)
      const frame: Frame = type === FRAME_CONTROL ? { kind: 'control', message: decodeControl(payload) } : { kind: 'data', bytes: payload }
      frames.push({ frame, bytes: FRAME_HEADER_BYTES + length })
    }
    return frames
  }
}

/**
 * Parses and validates one control payload.
 *
 * @throws {ProtocolError} if it is not UTF-8 JSON or does not match a message schema
 */
export function decodeControl (payload: Uint8Array): ControlMessage {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(payload))
  } catch (err) {
    throw new ProtocolError('A control message is not valid UTF-8 JSON', { cause: err })
  }
  const parsed = ControlMessage.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ProtocolError(`Invalid control message: ${issue?.message ?? 'unknown'} at ${issue?.path.join('.') ?? '?'}`)
  }
  return parsed.data
}
