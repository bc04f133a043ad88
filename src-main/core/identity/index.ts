/**
 * A peer's persistent identity: an Ed25519 key pair kept in the data directory, so its peer ID — what contacts know
 * it by — stays the same across restarts. The file holds the libp2p protobuf encoding of the private key
 * (libp2p peer-id spec, "Keys") and is created with mode 0600 in a 0700 folder.
 *
 * @example
 * ```ts
 * const key = await loadOrCreateIdentity('/home/me/.config/Ferry')
 * const peerId = peerIdFromPrivateKey(key)
 * ```
 */
import { chmod, link, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { ensurePrivateDir } from '../config/index.ts'
import { FerryError } from '../errors/index.ts'

/** File name of the identity key inside the data directory. */
export const IDENTITY_FILE = 'identity.key'

/** The identity file exists but cannot be read as a private key. */
export class IdentityError extends FerryError {
  static override name = 'IdentityError'
  constructor (message: string, options?: ErrorOptions) {
    super('identity-invalid', message, options)
  }
}

/**
 * Loads the Ed25519 private key from `<dataDir>/identity.key`, creating both the folder and a new key if missing.
 * A data folder open to others is tightened to 0700, a key file readable by others to 0600. Creation is atomic across processes: callers that race on a new
 * data folder all get the key that reached the disk first.
 *
 * @throws {IdentityError} if the file exists but does not hold a valid private key
 */
export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  ensurePrivateDir(dataDir)
  const file = join(dataDir, IDENTITY_FILE)
  let bytes: Uint8Array | undefined
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (bytes != null) {
    if (((await stat(file)).mode & 0o077) !== 0 && process.platform !== 'win32') await chmod(file, 0o600)
    try {
      return privateKeyFromProtobuf(bytes)
    } catch (err) {
      throw new IdentityError(`${file} does not hold a valid private key; move it away to create a new identity`, { cause: err })
    }
  }
  const key = await generateKeyPair('Ed25519')
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`
  await writeFile(temp, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
  try {
    // A link, not a rename: it fails if the file exists, so when two processes create an identity at once (the app
    // and a CLI command on a new data folder) the first one's key is kept and the other reads it, instead of each
    // running with its own key while only the last one stays on disk.
    await link(temp, file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return await loadOrCreateIdentity(dataDir)
  } finally {
    await unlink(temp).catch(() => {})
  }
  return key
}
