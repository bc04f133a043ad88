/**
 * Errors the store throws on purpose. Each has a stable `name` and kebab-case `code`.
 */
import { FerryError } from '../errors/index.ts'

/** The database file was written by a newer Ferry: its schema version is above the migrations this build knows. */
export class StoreVersionError extends FerryError {
  static override name = 'StoreVersionError'
  /** `PRAGMA user_version` of the file. */
  readonly found: number
  /** Highest schema version this build knows (the number of migrations). */
  readonly supported: number

  constructor (file: string, found: number, supported: number) {
    super('store-too-new',
      `The database ${file} was written by a newer version of Ferry (schema version ${found}; this version ` +
      `understands up to ${supported}). Update Ferry, or move the file aside to start with an empty history.`)
    this.found = found
    this.supported = supported
  }
}

/** No transfer with this ID (or no file with this index in it). */
export class TransferNotFoundError extends FerryError {
  static override name = 'TransferNotFoundError'
  constructor (id: string, fileIndex?: number) {
    super('transfer-not-found', fileIndex === undefined
      ? `No transfer with ID ${id}`
      : `Transfer ${id} has no file with index ${fileIndex}`)
  }
}

/** `transfers.create` was given an ID that is already stored. */
export class TransferExistsError extends FerryError {
  static override name = 'TransferExistsError'
  constructor (id: string, options?: ErrorOptions) {
    super('transfer-exists', `A transfer with ID ${id} already exists`, options)
  }
}

/** No contact with this peer ID. */
export class ContactNotFoundError extends FerryError {
  static override name = 'ContactNotFoundError'
  constructor (peerId: string) {
    super('contact-not-found', `No contact with peer ID ${peerId}`)
  }
}

/** `settings.set` was given a value JSON cannot represent (`undefined`, a function, a BigInt, a cycle…). */
export class SettingValueError extends FerryError {
  static override name = 'SettingValueError'
  constructor (key: string, options?: ErrorOptions) {
    super('setting-not-serializable', `The value for setting "${key}" cannot be stored as JSON`, options)
  }
}

/** `outbox.add` would go over a bound: `MAX_OUTBOX_PER_PEER` entries for this contact, or `MAX_OUTBOX_TOTAL` in all. */
export class OutboxFullError extends FerryError {
  static override name = 'OutboxFullError'
  /** Which bound: `peer` (this contact's entries) or `total`. */
  readonly scope: 'peer' | 'total'
  /** The bound, entries. */
  readonly limit: number

  constructor (scope: 'peer' | 'total', limit: number) {
    super('outbox-full', scope === 'peer'
      ? `The outbox already holds ${limit} sends for this contact`
      : `The outbox already holds ${limit} sends`)
    this.scope = scope
    this.limit = limit
  }
}
