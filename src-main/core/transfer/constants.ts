/** Limits of the transfer service (not of the wire protocol: those are in `../protocol/constants.ts`). */

/** Offers from one peer waiting for a person's decision, at most; more are refused with `busy` unseen. */
export const MAX_PENDING_OFFERS_PER_PEER = 2
/**
 * Offers from peers that are not contacts waiting for a decision, at most, all such peers together: new peer IDs cost
 * nothing, so the per-peer bound alone does not stop a flood. Beyond it they are refused with `busy` unseen.
 */
export const MAX_PENDING_STRANGER_OFFERS = 16
/**
 * Offers from contacts waiting for a decision, at most, all contacts together: a budget of its own, which offers from
 * peers that are not contacts cannot use, so a flood of strangers never locks out a contact.
 */
export const MAX_PENDING_CONTACT_OFFERS = 16
/**
 * How long an offer from a peer that is not a contact may wait for a decision, in ms; then it is refused with
 * `reject` `timeout` (PROTOCOL.md §5). Three minutes leave a person at the screen time to read a long file list,
 * while a stranger cannot hold a place in {@link MAX_PENDING_STRANGER_OFFERS} for longer; it can simply offer again.
 * Offers from contacts do not expire (the sender's own `DECISION_TIMEOUT_MS` bounds them).
 */
export const STRANGER_OFFER_WAIT_MS = 3 * 60_000
/** After an interrupted send, how long to keep trying to reach the peer and resume, in ms (CLI default). */
export const RESUME_RETRY_FOR_MS = 5 * 60_000
/** Pause between attempts to reach the peer again after an interruption, in ms. */
export const RESUME_RETRY_DELAY_MS = 2_000
/**
 * How long stopping the transfer service waits for the transfers it cancelled to end, in ms: each records its end
 * first (a few ms), then tells the peer, which may wait for the peer's close. Within the peer's own bound on stopping.
 */
export const STOP_WAIT_MS = 1_500
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
