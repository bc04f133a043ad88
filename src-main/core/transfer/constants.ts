/** Limits of the transfer service (not of the wire protocol: those are in `../protocol/constants.ts`). */

/** Offers from one peer waiting for a person's decision, at most; more are refused with `busy` unseen. */
export const MAX_PENDING_OFFERS_PER_PEER = 2
/** Offers from all peers waiting for a decision, at most. */
export const MAX_PENDING_OFFERS = 16
/** After an interrupted send, how long to keep trying to reach the peer and resume, in ms (CLI default). */
export const RESUME_RETRY_FOR_MS = 5 * 60_000
/** Pause between attempts to reach the peer again after an interruption, in ms. */
export const RESUME_RETRY_DELAY_MS = 2_000
