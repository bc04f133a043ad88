import { z } from 'zod'
import { FAILURE_REASONS } from '../errors/index.ts'
import {
  ERROR_CODES
} from './errors.ts'
import {
  DEVICE_KINDS, MAX_FILE_BYTES, MAX_FILES, MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH, MAX_TEXT_BYTES, PROTOCOL_VERSION, TRANSFER_KINDS
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
  /** `files` (absent: the same) or `text`: a text snippet carried in `text`, with no files (docs/PROTOCOL.md §4). */
  kind: z.enum(TRANSFER_KINDS).optional(),
  /**
   * The snippet of a `text` offer. The schema bounds its UTF-16 length only (never more than its UTF-8 length); its
   * UTF-8 length (at most `MAX_TEXT_BYTES`) and that it is well-formed Unicode are checked by {@link textProblem},
   * which the receiver answers with `invalid-offer`.
   */
  text: z.string().max(MAX_TEXT_BYTES * 2).optional(),
  totalBytes: byteCount,
  files: z.array(OfferFile).max(MAX_FILES)
}).refine(o => (o.kind === 'text') === (o.files.length === 0), { message: 'A text offer lists no files; a file offer lists at least one' })
  .refine(o => (o.kind === 'text') === (o.text != null), { message: 'Only a text offer carries text, and it must' })
  .refine(o => o.kind === 'text' || o.files.reduce((n, f) => n + f.size, 0) === o.totalBytes, { message: 'totalBytes is not the sum of the file sizes' })

/**
 * Why a text snippet is refused (`invalid-offer`), or undefined when it is acceptable: not well-formed Unicode (a lone
 * surrogate: it has no UTF-8 form), more than `MAX_TEXT_BYTES` bytes of UTF-8, or — given an offer's `totalBytes` —
 * a `totalBytes` other than its UTF-8 length (docs/PROTOCOL.md §4 "offer").
 */
export function textProblem (text: string, totalBytes?: number): string | undefined {
  if (!text.isWellFormed()) return 'The text is not valid Unicode (it has no UTF-8 form)'
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_TEXT_BYTES) return `The text is ${bytes} bytes of UTF-8, over the limit of ${MAX_TEXT_BYTES}`
  if (totalBytes != null && bytes !== totalBytes) return 'totalBytes is not the UTF-8 length of the text'
  return undefined
}

export const Accept = z.object({
  type: z.literal('accept'),
  /** Byte offset to start each file from, one per offered file (0 for a new file; resume sends more). */
  offsets: z.array(byteCount).max(MAX_FILES),
  /** Files the receiver already has verified and placed (resume): the sender skips exactly these. */
  complete: z.array(fileIndex).max(MAX_FILES).optional(),
  /**
   * Optional, since 2026-12: the files the receiver accepted, by index in the offer — strictly increasing, each below
   * the offer's file count, at least one. Absent: every file. The schema bounds it; {@link acceptedSubsetProblem}
   * checks it against the offer (docs/PROTOCOL.md §4 "accept").
   */
  files: z.array(fileIndex).max(MAX_FILES).optional()
})

/**
 * Why an accepted subset (`accept.files`, or the receiving side's own decision) cannot be used with an offer of
 * `fileCount` files, or undefined when it can: it must name at least one file, only offered ones (index below
 * `fileCount`), each once, in increasing order (docs/PROTOCOL.md §4 "accept").
 */
export function acceptedSubsetProblem (files: readonly number[], fileCount: number): string | undefined {
  if (files.length === 0) return 'The accepted files name no file'
  for (const [at, index] of files.entries()) {
    if (!Number.isInteger(index) || index < 0 || index >= fileCount) return `The accepted files name file ${index}, which was never offered (the offer has ${fileCount})`
    const before = files[at - 1]
    if (before != null && index <= before) return index === before ? `The accepted files name file ${index} twice` : 'The accepted files are not in increasing order'
  }
  return undefined
}

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
