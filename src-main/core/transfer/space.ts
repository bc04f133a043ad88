/**
 * Free space for received transfers, counted against the transfers already accepted: each accepted receive reserves
 * the bytes it still has to write on its file system, and the next offer must fit in what is free minus what the
 * others reserved (docs/PROTOCOL.md §7, "Free space"; docs/LIMITS.md).
 */
import { stat, statfs } from 'node:fs/promises'
import { resolve } from 'node:path'
import { TransferError } from '../protocol/index.ts'

/** Bytes an accepted receive has reserved and not written yet. */
export class SpaceReservation {
  #remaining: number
  readonly #onUsed: (bytes: number) => void
  readonly #release: () => void
  #released = false

  /** @param bytes bytes still to write, reserved at the accept */
  constructor (bytes: number, onUsed: (bytes: number) => void, release: () => void) {
    this.#remaining = Math.max(0, bytes)
    this.#onUsed = onUsed
    this.#release = release
  }

  /** Bytes reserved and not written yet. */
  get remaining (): number {
    return this.#released ? 0 : this.#remaining
  }

  /** Counts `bytes` written to disk: they are now counted by the file system's free space instead. */
  used (bytes: number): void {
    this.#remaining = Math.max(0, this.#remaining - bytes)
    this.#onUsed(bytes)
  }

  /** Ends the reservation (the receive ended, however); later calls do nothing. */
  release (): void {
    if (this.#released) return
    this.#released = true
    this.#release()
  }
}

/** Free space of a file system as measured for an offer, to reserve from once it is accepted. */
export interface SpaceMeasure {
  /** Identity of the file system: its device number (or the folder's path when it cannot be read). */
  device: number | string
  /** Free bytes for unprivileged writers (`bavail × bsize`); +Infinity when it cannot be read. */
  free: number
  /** Bytes the receives of the ledger had written on that file system when `free` was measured. */
  writtenAt: number
}

/**
 * The receives of one process and the bytes each reserved, per file system. One ledger is shared by every receive of
 * the process ({@link RECEIVE_SPACE}), so two transfers into one disk never count the same free bytes.
 */
export class SpaceLedger {
  private readonly byDevice = new Map<number | string, Set<SpaceReservation>>()
  /** Bytes written by receives of this ledger, per file system, ever (only grows). */
  private readonly written = new Map<number | string, number>()

  /** Bytes reserved on file system `device` by receives that have not ended. */
  reservedOn (device: number | string): number {
    let sum = 0
    for (const r of this.byDevice.get(device) ?? []) sum += r.remaining
    return sum
  }

  /**
   * Measures the free space of the file system of `dir` and checks that `needed` bytes fit besides what the receives
   * already accepted there will still write. Nothing is reserved (the offer may still wait for its decision); the
   * measure is what {@link reserve} takes at the accept.
   *
   * @throws {TransferError} `insufficient-space`
   */
  async check (dir: string, needed: number): Promise<SpaceMeasure> {
    const measure = await this.measure(dir)
    this.fits(measure, needed)
    return measure
  }

  /** Measures the free space of the file system of `dir`, checking nothing (see {@link check}, {@link room}). */
  async measure (dir: string): Promise<SpaceMeasure> {
    const free = await statfs(dir).then(s => s.bavail * s.bsize, () => Number.POSITIVE_INFINITY)
    const device = await stat(dir).then(s => s.dev, () => resolve(dir))
    return { device, free, writtenAt: this.written.get(device) ?? 0 }
  }

  /** Bytes a new receive could still reserve on the file system of `measure` now: free, less what others reserved. */
  room (measure: SpaceMeasure): number {
    const free = measure.free - ((this.written.get(measure.device) ?? 0) - measure.writtenAt)
    return Math.max(0, free - this.reservedOn(measure.device))
  }

  /**
   * Reserves `needed` bytes on the file system of `measure` (from {@link check}), checking again — synchronously, in
   * the same step as the reservation — that they fit besides the reservations made since, so of two offers accepted
   * together only those that fit get through. The free space is the measured one less what this ledger's receives
   * wrote there since (other programs' writes since are not counted: a disk that fills up mid-transfer stops it, and
   * its partial file is kept for a resume). Release the reservation when the receive ends.
   *
   * @throws {TransferError} `insufficient-space`
   */
  reserve (measure: SpaceMeasure, needed: number): SpaceReservation {
    this.fits(measure, needed)
    const { device } = measure
    let set = this.byDevice.get(device)
    if (set == null) this.byDevice.set(device, set = new Set())
    const reservation = new SpaceReservation(needed, (bytes) => {
      this.written.set(device, (this.written.get(device) ?? 0) + bytes)
    }, () => {
      set.delete(reservation)
      if (set.size === 0 && this.byDevice.get(device) === set) this.byDevice.delete(device)
    })
    set.add(reservation)
    return reservation
  }

  private fits (measure: SpaceMeasure, needed: number): void {
    const free = measure.free - ((this.written.get(measure.device) ?? 0) - measure.writtenAt)
    const reserved = this.reservedOn(measure.device)
    if (free - reserved >= needed) return
    const others = reserved > 0 ? `, ${reserved} of them reserved for transfers already accepted` : ''
    throw new TransferError('insufficient-space', `Not enough free space: the files need ${needed} more bytes, the download folder has ${Math.max(0, free)}${others}`)
  }
}

/** The ledger every receive of this process shares. */
export const RECEIVE_SPACE = new SpaceLedger()
