/** Limits of the transfer service (not of the wire protocol: those are in `../protocol/constants.ts`). */

/** Offers from one peer waiting for a person's decision, at most; more are refused with `busy` unseen. */
export const MAX_PENDING_OFFERS_PER_PEER = 2
/** Offers from all peers waiting for a decision, at most. */
export const MAX_PENDING_OFFERS = 16
/** After an interrupted send, how long to keep trying to reach the peer and resume, in ms (CLI default). */
export const RESUME_RETRY_FOR_MS = 5 * 60_000
/** Pause between attempts to reach the peer again after an interruption, in ms. */
export const RESUME_RETRY_DELAY_MS = 2_000
/**
 * Data the receiver writes to disk in one call, at most, in bytes: the data frames already queued for the current
 * block are written together (one positioned `writev`) instead of one awaited `write` per 64 KiB frame, which bounded
 * direct TCP at ~58 MiB/s here (docs/PERFORMANCE.md, "Receiver writes"). A block (1 MiB) ends a batch anyway.
 */
export const MAX_WRITE_BATCH_BYTES = 4 * 1024 * 1024
/** Data frames the receiver writes to disk in one call, at most (64 × 64 KiB frames = `MAX_WRITE_BATCH_BYTES`). */
export const MAX_WRITE_BATCH_FRAMES = 64
/**
 * Received files synced and placed together, at most (`datasync`s that run together share the file system's journal
 * commits: docs/PERFORMANCE.md, "Many small files"). Up to two batches of temp files are open at once.
 */
export const PLACEMENT_BATCH_FILES = 32
/** How long a verified file may wait for its placement batch to fill, in ms. */
export const PLACEMENT_BATCH_DELAY_MS = 20
