import { DECISION_TIMEOUT_MS, OFFER_TIMEOUT_MS, STALL_TIMEOUT_MS } from '../protocol/index.ts'

/** Timeouts of a transfer, in ms (defaults from the protocol constants; tests shorten them). */
export interface TransferTimeouts {
  /** Receiver: from the stream opening to the offer. */
  offerMs: number
  /** Sender: from the offer to accept or reject. */
  decisionMs: number
  /** Either side: nothing from the peer for this long during a transfer. */
  stallMs: number
}

/** The default timeouts, with `overrides` applied. */
export function timeoutsOf (overrides: Partial<TransferTimeouts> = {}): TransferTimeouts {
  return { offerMs: OFFER_TIMEOUT_MS, decisionMs: DECISION_TIMEOUT_MS, stallMs: STALL_TIMEOUT_MS, ...overrides }
}
