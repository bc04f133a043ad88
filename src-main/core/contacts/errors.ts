/** Errors of the contacts module; each has a stable `name` and kebab-case `code`. */
import { FerryError } from '../errors/index.ts'

/** An invite that is not a valid `ferry:` invite (bad peer ID, relay multiaddr, name, or too long). */
export class InvalidInviteError extends FerryError {
  static override name = 'InvalidInviteError'
  /** What is wrong with it, e.g. `longer than 2048 characters` (names no local path). */
  readonly detail: string
  constructor (detail: string, options?: ErrorOptions) {
    super('invalid-invite', `Not a valid Ferry invite: ${detail}`, options)
    this.detail = detail
  }
}

/** Neither a contact's name nor a peer ID. */
export class UnknownContactError extends FerryError {
  static override name = 'UnknownContactError'
  constructor (nameOrId: string) {
    super('unknown-contact', `"${nameOrId}" is neither a contact's name nor a peer ID`)
  }
}

/** A name shared by several contacts: use the peer ID. */
export class AmbiguousContactError extends FerryError {
  static override name = 'AmbiguousContactError'
  constructor (name: string, peerIds: string[]) {
    super('ambiguous-contact', `Several contacts are named "${name}" (${peerIds.join(', ')}); use the peer ID`)
  }
}
