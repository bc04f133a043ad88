import {
  DECISION_TIMEOUT_MS, MIN_RATE_WINDOW_MS, MIN_TRANSFER_BYTES_PER_SECOND, OFFER_TIMEOUT_MS, STALL_TIMEOUT_MS, TransferError
} from '../protocol/index.ts'

/** Timeouts of a transfer, in ms (defaults from the protocol constants; tests shorten them). */
export interface TransferTimeouts {
  /** Receiver: from the stream opening to the offer. */
  offerMs: number
  /** Sender: from the offer to accept or reject. */
  decisionMs: number
  /** Either side: nothing from the peer for this long during a transfer. */
  stallMs: number
  /**
   * Receiver, after accept: the window of the minimum rate (`MIN_TRANSFER_BYTES_PER_SECOND` averaged over it), in ms
   * of waiting for the sender.
   */
  minRateWindowMs: number
}

/** The default timeouts, with `overrides` applied. */
export function timeoutsOf (overrides: Partial<TransferTimeouts> = {}): TransferTimeouts {
  return { offerMs: OFFER_TIMEOUT_MS, decisionMs: DECISION_TIMEOUT_MS, stallMs: STALL_TIMEOUT_MS, minRateWindowMs: MIN_RATE_WINDOW_MS, ...overrides }
}

/**
 * The receiver's minimum-rate rule (docs/PROTOCOL.md §10): each time it has spent `windowMs` waiting for the sender
 * (time inside `FrameChannel.next`, so its own disk writes, syncs and placements do not count), the sender must have
 * made at least `MIN_TRANSFER_BYTES_PER_SECOND` × `windowMs` / 1000 bytes of progress since the window began;
 * then a new window begins. Progress is file bytes written, and the prefix a resumed or rewound file starts from
 * (the sender hashed it first, sending nothing meanwhile) — not data discarded while a `nack` is pending.
 */
export class MinimumRate {
  private readonly windowMs: number
  private readonly minBytes: number
  private windowStart: number
  private progress = 0

  /** @param waitedMs - the channel's waiting time so far (`FrameChannel.waitedMs`), in ms: the first window starts there */
  constructor (windowMs: number, waitedMs: number) {
    this.windowMs = windowMs
    this.minBytes = Math.ceil(MIN_TRANSFER_BYTES_PER_SECOND * windowMs / 1000)
    this.windowStart = waitedMs
  }

  /** Credits `bytes` of progress. */
  add (bytes: number): void {
    this.progress += bytes
  }

  /**
   * Checks the rule with the channel's waiting time so far, in ms.
   *
   * @throws {TransferError} code `timeout` when a full window passed with too little progress
   */
  check (waitedMs: number): void {
    if (waitedMs - this.windowStart < this.windowMs) return
    if (this.progress < this.minBytes) {
      throw new TransferError('timeout', `The sender is too slow: ${this.progress} bytes in ${Math.round((waitedMs - this.windowStart) / 1000)} s of waiting, below the minimum of ${MIN_TRANSFER_BYTES_PER_SECOND} bytes/s`)
    }
    this.windowStart = waitedMs
    this.progress = 0
  }
}
