/**
 * The settings repository: a key → JSON value table. Every statement is prepared once, when the repository is
 * created.
 */
import type BetterSqlite3 from 'better-sqlite3'
import { SettingValueError } from './errors.ts'

/** Application settings, each stored as JSON text. */
export interface SettingsRepository {
  /**
   * The parsed value of `key`, or `undefined` if unset. `T` is what the caller expects; it is not checked, so
   * validate values that came from an older version or a hand-edited file.
   */
  get<T = unknown>(key: string): T | undefined
  /**
   * Stores `value` as JSON (replacing any earlier value).
   * @throws {SettingValueError} `value` has no JSON form (`undefined`, a function, a BigInt, a cycle…).
   */
  set (key: string, value: unknown): void
  /** Removes `key`. Returns whether it was set. */
  delete (key: string): boolean
}

/** Builds the repository on an open, migrated database. */
export function createSettingsRepository (db: BetterSqlite3.Database): SettingsRepository {
  const selectValue = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck()
  const upsertValue = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
  const deleteValue = db.prepare<[string]>('DELETE FROM settings WHERE key = ?')

  return {
    get<T> (key: string): T | undefined {
      const json = selectValue.get(key)
      return json === undefined ? undefined : JSON.parse(json) as T
    },
    set (key, value) {
      let json: string | undefined
      try {
        json = JSON.stringify(value)
      } catch (err) {
        throw new SettingValueError(key, { cause: err })
      }
      if (json === undefined) throw new SettingValueError(key)
      upsertValue.run(key, json)
    },
    delete (key) {
      return deleteValue.run(key).changes > 0
    }
  }
}
