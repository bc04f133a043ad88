/**
 * Protocol identifiers and every limit of the Ferry transfer protocol. `docs/PROTOCOL.md` is the specification;
 * a change here is a change there.
 */

/** libp2p protocol id of the transfer protocol (libp2p protocol negotiation: multistream-select). */
export const TRANSFER_PROTOCOL = '/ferry/transfer/1.0.0'

/** Version number carried in the offer; bumped with the protocol id. */
export const PROTOCOL_VERSION = 1

/** Frame type byte of a control frame (a UTF-8 JSON message). */
export const FRAME_CONTROL = 0x01
/** Frame type byte of a data frame (raw bytes of the current file). */
export const FRAME_DATA = 0x02
/** Bytes of a frame header: 1 type byte + 4 length bytes (unsigned, big-endian). */
export const FRAME_HEADER_BYTES = 5

/**
 * Largest control message, in bytes. An offer of {@link MAX_FILES} entries with typical paths (~100 bytes) fits;
 * a peer cannot make the receiver buffer more than this before validation.
 */
export const MAX_CONTROL_BYTES = 8 * 1024 * 1024
/** Largest data frame payload, in bytes. */
export const MAX_DATA_BYTES = 256 * 1024
/**
 * Data frame payload the sender writes, in bytes. libp2p's WebRTC transport splits stream writes into 16 KiB
 * DataChannel messages; 64 KiB writes are the block size of the libp2p perf protocol (`/perf/1.0.0`, libp2p specs `perf/perf.md`).
 */
export const CHUNK_BYTES = 64 * 1024
/** Files in one offer, at most. */
export const MAX_FILES = 50_000
/** Size of one file, at most, in bytes (2^53 − 1: the largest integer a JSON number carries exactly). */
export const MAX_FILE_BYTES = Number.MAX_SAFE_INTEGER
/** Sender display name, at most, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 64
/**
 * The kinds of device a peer says it is (an offer's `senderDevice`, an invite's `device`): display only, shown as an
 * icon beside the peer's name. A value outside this list (from a later version) is ignored, never refused.
 */
export const DEVICE_KINDS = ['desktop', 'laptop', 'server'] as const
/** One of {@link DEVICE_KINDS}. */
export type DeviceKind = typeof DEVICE_KINDS[number]
/** Whether `value` is one of {@link DEVICE_KINDS}. */
export function isDeviceKind (value: unknown): value is DeviceKind {
  return typeof value === 'string' && (DEVICE_KINDS as readonly string[]).includes(value)
}
/**
 * The kinds of transfer an offer may carry (its `kind`; absent means `files`): a list of files, or a text snippet that
 * travels inline in the offer and is kept in the receiver's history, never written to its download folder.
 */
export const TRANSFER_KINDS = ['files', 'text'] as const
/** One of {@link TRANSFER_KINDS}. */
export type TransferKind = typeof TRANSFER_KINDS[number]
/**
 * Largest text snippet, in bytes of UTF-8 (1 MiB). It travels inline in the offer: even escaped as JSON at worst
 * (`\u0001`, 6 bytes per byte) it stays under {@link MAX_CONTROL_BYTES}, so no data frame is needed.
 */
export const MAX_TEXT_BYTES = 1024 * 1024
/** Error and reject messages, at most, in UTF-16 code units. */
export const MAX_MESSAGE_LENGTH = 1024

/**
 * Verification block, in bytes: the sender follows every block of a file (aligned to the file start; the last one
 * may be shorter) with its SHA-256, so corruption is found and re-sent at this granularity, and resume restarts at
 * the last verified block.
 */
export const BLOCK_BYTES = 1024 * 1024
/** `nack`s a transfer may cause before it fails: persistent corruption is not retried forever. */
export const MAX_REWINDS = 16

/**
 * Flow-control window, in bytes: the sender never has more than this many data bytes that the receiver has not
 * acknowledged (written to its temp file, not necessarily synced). This bounds the receiver's memory whatever the
 * transport buffers.
 */
export const WINDOW_BYTES = 32 * 1024 * 1024
/** The receiver acknowledges after this many newly written bytes (and at the end of every file). */
export const ACK_EVERY_BYTES = 1024 * 1024

/** Time the receiver waits for the offer after the stream opens, in ms. */
export const OFFER_TIMEOUT_MS = 10_000
/** Time the sender waits for the person on the other side to accept or decline, in ms. */
export const DECISION_TIMEOUT_MS = 10 * 60_000
/** Either side gives up when nothing arrives from the other for this long during a transfer, in ms. */
export const STALL_TIMEOUT_MS = 30_000

/**
 * Minimum rate of an accepted transfer, in bytes per second of the receiver waiting for the sender, averaged over
 * {@link MIN_RATE_WINDOW_MS}: below it the receiver ends the transfer with `timeout`, so a sender trickling a byte
 * before every stall timeout cannot hold it open forever. A slow honest path (120 ms RTT, 0.5 % loss: ~0.3 MiB/s) is
 * ~300 times faster (docs/PROTOCOL.md §10).
 */
export const MIN_TRANSFER_BYTES_PER_SECOND = 1024
/** Window of {@link MIN_TRANSFER_BYTES_PER_SECOND}: time the receiver spent waiting for the sender, in ms. */
export const MIN_RATE_WINDOW_MS = 60_000

/** Incoming transfer streams allowed at once per connection (libp2p `maxInboundStreams`). */
export const MAX_INBOUND_STREAMS = 4
/** Outgoing transfer streams allowed at once per connection (libp2p `maxOutboundStreams`). */
export const MAX_OUTBOUND_STREAMS = 4
