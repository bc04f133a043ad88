import { z } from 'zod'
import { FAILURE_REASONS } from '../errors/index.ts'
import {
  ERROR_CODES
} from './errors.ts'
import {
  DEVICE_KINDS, MAX_FILE_BYTES, MAX_FILES, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH, PROTOCOL_VERSION
} from './constants.ts'

/**
 * Schemas of the control messages (docs/PROTOCOL.md, "Messages"). Every message received is parsed with
 * {@link ControlMessage} before it is acted on; unknown fields are stripped, wrong types and out-of-range numbers
 * are refused.
 */

const byteCount = z.number().int().min(0).max(MAX_FILE_BYTES)
const fileIndex = z.number().int().min(0).max(MAX_FILES - 1)
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/)
const text = (max: number): z.ZodString => z.string().max(max)

export const OfferFile = z.object({
  /** Relative path, `/`-separated; checked by the path-safety module before anything touches disk. */
  path: z.string().min(1).max(4096),
  size: byteCount
})

export const Offer = z.object({
  type: z.literal('offer'),
  version: z.literal(PROTOCOL_VERSION),
  transferId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  senderName: text(MAX_NAME_LENGTH).optional(),
  /** The kind of device the sender says it is (display only); any other value reads as absent, never as an error. */
  senderDevice: z.enum(DEVICE_KINDS).optional().catch(undefined),
  totalBytes: byteCount,
  files: z.array(OfferFile).min(1).max(MAX_FILES)
}).refine(o => o.files.reduce((n, f) => n + f.size, 0) === o.totalBytes, { message: 'totalBytes is not the sum of the file sizes' })

export const Accept = z.object({
  type: z.literal('accept'),
  /** Byte offset to start each file from, one per offered file (0 for a new file; resume sends more). */
  offsets: z.array(byteCount).max(MAX_FILES),
  /** Files the receiver already has verified and placed (resume): the sender skips exactly these. */
  complete: z.array(fileIndex).max(MAX_FILES).optional()
})

export const Reject = z.object({
  type: z.literal('reject'),
  code: z.enum(ERROR_CODES),
  message: text(MAX_MESSAGE_LENGTH)
})

export const FileStart = z.object({
  type: z.literal('file-start'),
  index: fileIndex,
  /** Where the data that follows starts: the accepted offset (0 unless resuming). */
  offset: byteCount,
  /** SHA-256 of the file's bytes before `offset`, present when `offset` > 0: the receiver checks its partial file. */
  prefixSha256: sha256Hex.optional()
})
export const Block = z.object({ type: z.literal('block'), index: fileIndex, offset: byteCount, sha256: sha256Hex })
export const Nack = z.object({ type: z.literal('nack'), index: fileIndex, offset: byteCount })
export const Rewind = z.object({ type: z.literal('rewind'), index: fileIndex, offset: byteCount })
export const FileEnd = z.object({ type: z.literal('file-end'), index: fileIndex, sha256: sha256Hex })
export const Ack = z.object({ type: z.literal('ack'), bytes: byteCount })
export const Done = z.object({ type: z.literal('done') })
export const Complete = z.object({
  type: z.literal('complete'),
  files: z.array(z.object({ index: fileIndex, sha256: sha256Hex })).max(MAX_FILES)
})
export const ErrorMessage = z.object({
  type: z.literal('error'),
  code: z.string().max(64),
  message: text(MAX_MESSAGE_LENGTH),
  /**
   * Optional, since the first version: why a file operation failed (`write-failed`: the receiver's disk is full, …).
   * A value that is not one of `FAILURE_REASONS` is dropped, not refused: an older or newer peer's message still
   * decodes (docs/PROTOCOL.md §4, "error").
   */
  reason: z.enum(FAILURE_REASONS).optional().catch(undefined)
})

export const ControlMessage = z.discriminatedUnion('type', [Offer, Accept, Reject, FileStart, Block, Nack, Rewind, FileEnd, Ack, Done, Complete, ErrorMessage])

export type OfferFile = z.infer<typeof OfferFile>
export type Offer = z.infer<typeof Offer>
export type Accept = z.infer<typeof Accept>
export type Reject = z.infer<typeof Reject>
export type FileStart = z.infer<typeof FileStart>
export type Block = z.infer<typeof Block>
export type Nack = z.infer<typeof Nack>
export type Rewind = z.infer<typeof Rewind>
export type FileEnd = z.infer<typeof FileEnd>
export type Ack = z.infer<typeof Ack>
export type Done = z.infer<typeof Done>
export type Complete = z.infer<typeof Complete>
export type ErrorMessage = z.infer<typeof ErrorMessage>
export type ControlMessage = z.infer<typeof ControlMessage>
