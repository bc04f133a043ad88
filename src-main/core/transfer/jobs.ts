import { FerryError, PausedError } from '../errors/index.ts'

/** One transfer in progress, as {@link TransferJobs.track} returns it. */
export interface TransferJob {
  controller: AbortController
  /** Aborts when the job is cancelled, paused or ended for its peer (and with the caller's signal). */
  signal: AbortSignal
  /** Names the job by its transfer ID, so it can be cancelled or paused by it. */
  setId: (id: string) => void
  /** Sets the peer the job runs with (a send learns it once connected). */
  setPeer: (peerId: string) => void
  id: () => string | undefined
  /** The job ended: forget it. */
  done: () => void
}

/**
 * The transfers in progress of one transfer service, either direction, by controller, peer and transfer ID: what
 * cancel, pause, ending a blocked peer's transfers and stopping act on.
 */
export class TransferJobs {
  private readonly running = new Map<AbortController, string>()
  private readonly byId = new Map<string, AbortController>()
  private readonly idleWaiters: Array<() => void> = []

  /** Starts tracking a job with `peerId` (may be set later), aborted also by `signal`. */
  track (signal?: AbortSignal, peerId = ''): TransferJob {
    const controller = new AbortController()
    this.running.set(controller, peerId)
    let transferId: string | undefined
    return {
      controller,
      signal: signal == null ? controller.signal : AbortSignal.any([signal, controller.signal]),
      setId: (id) => { transferId = id; this.byId.set(id, controller) },
      setPeer: (id) => { if (this.running.has(controller)) this.running.set(controller, id) },
      id: () => transferId,
      done: () => {
        this.running.delete(controller)
        if (transferId != null && this.byId.get(transferId) === controller) this.byId.delete(transferId)
        if (this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve()
      }
    }
  }

  /** Resolves once no job runs: at once when none does, else when the last one running is done. */
  async idle (): Promise<void> {
    if (this.running.size === 0) return
    const { promise, resolve } = Promise.withResolvers<void>()
    this.idleWaiters.push(resolve)
    await promise
  }

  /** Aborts every job (the service stops: recorded cancelled). */
  abortAll (): void {
    for (const controller of this.running.keys()) controller.abort()
  }

  /** Aborts every job with `peerId` as cancelled (the peer was blocked); returns how many there were. */
  endWith (peerId: string): number {
    let ended = 0
    for (const [controller, peer] of this.running) {
      if (peer !== peerId) continue
      controller.abort(new FerryError('cancelled', 'The peer was blocked'))
      ended++
    }
    return ended
  }

  /** Aborts the job of `transferId` with `reason`; false when no such job runs. */
  abort (transferId: string, reason: Error): boolean {
    const controller = this.byId.get(transferId)
    controller?.abort(reason)
    return controller != null
  }

  /** {@link abort} as a cancel (`cancelled`). */
  cancel (transferId: string): boolean {
    return this.abort(transferId, new FerryError('cancelled', 'The transfer was cancelled'))
  }

  /** {@link abort} as a pause (`paused`, resumable). */
  pause (transferId: string): boolean {
    return this.abort(transferId, new PausedError())
  }
}
