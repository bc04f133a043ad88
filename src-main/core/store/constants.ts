/**
 * Limits and fixed values of the store, each with the reason it has the value it has.
 */

/**
 * How long (ms) a connection waits for another connection's write lock before failing with `SQLITE_BUSY`.
 * 5 s covers the CLI and the desktop app sharing one database file: a writer holds the lock for one short
 * transaction (a progress or state write), far below this.
 */
export const BUSY_TIMEOUT_MS = 5000

/**
 * Default minimum interval (ms) between two progress writes of a {@link ProgressWriter}.
 * 500 ms keeps a progress bar restored after a crash at most half a second stale while
 * costing ≤ 2 SQLite writes per second per transfer.
 */
export const DEFAULT_PROGRESS_INTERVAL_MS = 500

/**
 * Most multiaddrs kept per contact; `touchSeen` keeps the newest ones.
 * Source: our own bound on the row size; a peer rarely has more than a handful of live addresses at once.
 */
export const MAX_CONTACT_ADDRS = 16

/**
 * Most addresses kept of a contact that relays for its contacts (`setRelayAddrs`): its reachable direct addresses.
 * Source: our own bound on the row size; a reachable host has one or two (IPv4, IPv6) per port.
 */
export const MAX_RELAY_ADDRS = 4

/**
 * Most outbox entries (sends queued for a contact who is offline) per contact, and in all. Source: our own bound, so a
 * page or script queueing in a loop cannot grow the database (and the work done when the contact comes online) without
 * limit; a person queues a handful. docs/LIMITS.md.
 */
export const MAX_OUTBOX_PER_PEER = 20
/** See {@link MAX_OUTBOX_PER_PEER}. */
export const MAX_OUTBOX_TOTAL = 200

/**
 * Which states are terminal (entering one sets `finished_at`) and which are unfinished (a row left in one when Ferry
 * starts was cut short by a crash or a kill: `markUnfinishedAsInterrupted`): the transfer life cycle's, read from the
 * one module that defines it.
 */
export { TERMINAL_STATES, UNFINISHED_STATES } from '../transfer/lifecycle.ts'
