/**
 * When an incoming offer is written to the history (docs/PROTOCOL.md §5, Receiver step 3 and §11). Nothing is written
 * while an offer waits for its decision. An accepted offer is recorded with all its files. An offer that ends without
 * being accepted (declined, busy, expired, withdrawn, too big for the disk) is recorded — with its files, in the state
 * it ended in — only when it came from a contact; from any other peer it costs no storage at all, so peers that are
 * not contacts cannot grow the database with offers nobody accepted. A resumed offer keeps its earlier record.
 */
import { TransferExistsError } from '../store/index.ts'
import type { Store, TransferErrorInfo, TransferState } from '../store/index.ts'
import type { IncomingOffer } from './types.ts'

/** Options of {@link IncomingRecord}. */
export interface IncomingRecordInit {
  store: Store
  offer: IncomingOffer
  /** Folder the files go into. */
  downloadDir: string
  /** The offer resumes an earlier, recorded transfer. */
  resumed: boolean
  /** Whether the sending peer is a contact, asked when an unaccepted offer ends. */
  isContact: () => boolean
}

/** The history record of one incoming offer, written only when the rules of this module say so. */
export class IncomingRecord {
  private readonly init: IncomingRecordInit
  private recorded: boolean

  constructor (init: IncomingRecordInit) {
    this.init = init
    this.recorded = init.resumed
  }

  /**
   * The offer was accepted: records it `accepted`, with its files — those not in `subset` (when given) `skipped`, and
   * the total of the accepted ones as its size — (a resumed one is recorded already); the receiver
   * moves it to `transferring` once its `accept` is sent.
   * @throws {TransferExistsError} when another offer of the same transfer ID was recorded meanwhile (nothing written)
   */
  accepted (subset?: readonly number[]): void {
    if (this.recorded) return
    this.create('accepted', subset)
    this.recorded = true
  }

  /**
   * The offer or transfer ended in `state`: a recorded transfer moves to it; an offer never accepted is recorded in it
   * only when its sender is a contact.
   */
  ended (state: TransferState, error: TransferErrorInfo): void {
    if (this.recorded) {
      this.init.store.transfers.setState(this.init.offer.transferId, state, error)
      return
    }
    if (!this.init.isContact()) return
    try {
      this.create(state)
      this.recorded = true
      this.init.store.transfers.setState(this.init.offer.transferId, state, error)
    } catch (err) {
      if (!(err instanceof TransferExistsError)) throw err
    }
  }

  private create (state: TransferState, subset?: readonly number[]): void {
    const { offer, downloadDir } = this.init
    const chosen = subset == null ? undefined : new Set(subset)
    const totalBytes = chosen == null ? offer.totalBytes : offer.files.reduce((n, f, i) => n + (chosen.has(i) ? f.size : 0), 0)
    const store = this.init.store
    store.transfers.create({
      id: offer.transferId, direction: 'receive', peerId: offer.peerId, state, totalBytes, fileCount: offer.files.length,
      transport: offer.connection.transport, remoteAddr: offer.connection.remoteAddr, destDir: downloadDir,
      files: offer.files.map(f => ({ relPath: f.path, size: f.size })),
      kind: offer.kind,
      text: offer.text
    })
    if (chosen != null) for (const i of offer.files.keys()) if (!chosen.has(i)) store.transfers.fileDone(offer.transferId, i, { state: 'skipped' })
  }
}
