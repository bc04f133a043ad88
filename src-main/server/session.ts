/**
 * The headless server's session: its access token and port, kept in the data directory (`serve-session.json`, mode
 * 0600) so that `ferry serve` started again keeps both — open tabs reconnect with the token they hold (their cookie is
 * per port) instead of being refused. A new token is made only when asked (`ferry serve --new-token`) or when none is
 * stored; the stored port is used again when no port is asked for.
 */
import { randomUUID } from 'node:crypto'
import { readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { newToken } from './security.ts'
import { TOKEN_BYTES } from './constants.ts'

/** File name of the session in the data directory. */
export const SESSION_FILE = 'serve-session.json'

/** A stored session: the access token (hex, {@link TOKEN_BYTES} bytes) and the last port (0: none yet). */
export interface ServeSession {
  token: string
  port: number
}

/**
 * The session to start with: the stored one (a malformed or missing file counts as none), or a new token when
 * `renew` is set or none is stored. Nothing is written here ({@link saveSession} does once the server listens).
 *
 * @throws the read error other than a missing file (e.g. `EACCES`)
 */
export async function loadSession (dataDir: string, options: { renew?: boolean } = {}): Promise<ServeSession> {
  let stored: Partial<ServeSession> = {}
  try {
    stored = JSON.parse(await readFile(join(dataDir, SESSION_FILE), 'utf8')) as Partial<ServeSession>
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err
  }
  const tokenOk = typeof stored.token === 'string' && new RegExp(`^[0-9a-f]{${TOKEN_BYTES * 2}}$`).test(stored.token)
  const portOk = Number.isInteger(stored.port) && (stored.port as number) > 0 && (stored.port as number) <= 65535
  return {
    token: options.renew === true || !tokenOk ? newToken() : stored.token as string,
    port: portOk ? stored.port as number : 0
  }
}

/** Stores `session` (mode 0600, replaced atomically). @throws the write error */
export async function saveSession (dataDir: string, session: ServeSession): Promise<void> {
  const file = join(dataDir, SESSION_FILE)
  const temp = `${file}.${randomUUID()}.tmp`
  try {
    await writeFile(temp, JSON.stringify(session), { mode: 0o600, flag: 'wx' })
    await rename(temp, file)
  } catch (err) {
    await unlink(temp).catch(() => {})
    throw err
  }
}
