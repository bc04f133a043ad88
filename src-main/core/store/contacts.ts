/**
 * The contact repository: peers the user knows by peer ID, with a name, trust/block flags and the multiaddrs they
 * were last seen at. Every statement is prepared once, when the repository is created.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { MAX_CONTACT_ADDRS, MAX_RELAY_ADDRS } from './constants.ts'
import { ContactNotFoundError } from './errors.ts'
import { parseAddrs, toContact } from './rows.ts'
import type { ContactRow } from './rows.ts'
import type { Contact, ContactInput } from './types.ts'

/** Contacts, keyed by peer ID. Times are ms since the epoch. */
export interface ContactRepository {
  /**
   * Adds a contact or updates an existing one. `name` is always written; absent `addrs`/`trusted`/`blocked`/`device`
   * keep the stored value (new contacts: `[]`, `false`, `false`, unknown). `addedAt` is set on insert only.
   */
  upsert (input: ContactInput): Contact
  /** The contact, or `undefined`. */
  get (peerId: string): Contact | undefined
  /** All contacts ordered by name (case-insensitive), then peer ID. */
  list (): Contact[]
  /** Deletes a contact. Returns whether it existed. */
  remove (peerId: string): boolean
  /** @throws {ContactNotFoundError} */
  setTrusted (peerId: string, trusted: boolean): Contact
  /** @throws {ContactNotFoundError} */
  setBlocked (peerId: string, blocked: boolean): Contact
  /** @throws {ContactNotFoundError} */
  rename (peerId: string, name: string): Contact
  /**
   * Records that a known contact was seen at time `at` (ms) on `addrs` (multiaddr strings). The new addresses go
   * first, followed by the previously stored ones not repeated, capped at {@link MAX_CONTACT_ADDRS}.
   * Returns `false` (and writes nothing) if `peerId` is not a contact.
   */
  touchSeen (peerId: string, at: number, addrs: string[]): boolean
  /**
   * Records where a contact relays for its contacts (`addrs`, multiaddr strings, the first {@link MAX_RELAY_ADDRS}
   * kept), or that it does not (`undefined`). Returns `false` (and writes nothing) if `peerId` is not a contact.
   */
  setRelayAddrs (peerId: string, addrs: string[] | undefined): boolean
}

/** Builds the repository on an open, migrated database. `now` returns ms since the epoch. */
export function createContactRepository (db: BetterSqlite3.Database, now: () => number): ContactRepository {
  const upsertContact = db.prepare(`
    INSERT INTO contacts (peer_id, name, added_at, addrs, trusted, blocked, device)
    VALUES (@peerId, @name, @now, COALESCE(@addrs, '[]'), COALESCE(@trusted, 0), COALESCE(@blocked, 0), @device)
    ON CONFLICT (peer_id) DO UPDATE SET
      name = excluded.name,
      device = COALESCE(@device, device),
      addrs = COALESCE(@addrs, addrs),
      trusted = COALESCE(@trusted, trusted),
      blocked = COALESCE(@blocked, blocked)`)
  const selectContact = db.prepare<[string], ContactRow>('SELECT * FROM contacts WHERE peer_id = ?')
  const selectAll = db.prepare<[], ContactRow>('SELECT * FROM contacts ORDER BY name COLLATE NOCASE, peer_id')
  const deleteContact = db.prepare<[string]>('DELETE FROM contacts WHERE peer_id = ?')
  const updateTrusted = db.prepare<[number, string]>('UPDATE contacts SET trusted = ? WHERE peer_id = ?')
  const updateBlocked = db.prepare<[number, string]>('UPDATE contacts SET blocked = ? WHERE peer_id = ?')
  const updateName = db.prepare<[string, string]>('UPDATE contacts SET name = ? WHERE peer_id = ?')
  const selectAddrs = db.prepare<[string], string>('SELECT addrs FROM contacts WHERE peer_id = ?').pluck()
  const updateRelayAddrs = db.prepare<[string | null, string]>('UPDATE contacts SET relay_addrs = ? WHERE peer_id = ?')
  const updateSeen = db.prepare<[number, string, string]>(
    'UPDATE contacts SET last_seen_at = ?, addrs = ? WHERE peer_id = ?')

  function mustGet (peerId: string): Contact {
    const row = selectContact.get(peerId)
    if (row === undefined) throw new ContactNotFoundError(peerId)
    return toContact(row)
  }

  /** The contact after an UPDATE that changed `changes` rows. */
  function afterUpdate (changes: number, peerId: string): Contact {
    if (changes === 0) throw new ContactNotFoundError(peerId)
    return mustGet(peerId)
  }

  const touchTx = db.transaction((peerId: string, at: number, addrs: string[]): boolean => {
    const stored = selectAddrs.get(peerId)
    if (stored === undefined) return false
    const merged = [...new Set([...addrs, ...parseAddrs(stored)])].slice(0, MAX_CONTACT_ADDRS)
    updateSeen.run(at, JSON.stringify(merged), peerId)
    return true
  })

  return {
    upsert (input) {
      upsertContact.run({
        peerId: input.peerId,
        name: input.name,
        now: now(),
        addrs: input.addrs === undefined ? null : JSON.stringify(input.addrs),
        trusted: input.trusted === undefined ? null : Number(input.trusted),
        blocked: input.blocked === undefined ? null : Number(input.blocked),
        device: input.device ?? null
      })
      return mustGet(input.peerId)
    },
    get (peerId) {
      const row = selectContact.get(peerId)
      return row === undefined ? undefined : toContact(row)
    },
    list () {
      return selectAll.all().map(toContact)
    },
    remove (peerId) {
      return deleteContact.run(peerId).changes > 0
    },
    setTrusted (peerId, trusted) {
      return afterUpdate(updateTrusted.run(Number(trusted), peerId).changes, peerId)
    },
    setBlocked (peerId, blocked) {
      return afterUpdate(updateBlocked.run(Number(blocked), peerId).changes, peerId)
    },
    rename (peerId, name) {
      return afterUpdate(updateName.run(name, peerId).changes, peerId)
    },
    touchSeen (peerId, at, addrs) {
      return touchTx.immediate(peerId, at, addrs)
    },
    setRelayAddrs (peerId, addrs) {
      const value = addrs == null ? null : JSON.stringify([...new Set(addrs)].slice(0, MAX_RELAY_ADDRS))
      return updateRelayAddrs.run(value, peerId).changes > 0
    }
  }
}
