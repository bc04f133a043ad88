import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { FINGERPRINT_DOMAIN, FINGERPRINT_GROUPS } from './constants.ts'

/**
 * The fingerprint two peers compare to be sure they added each other, not someone who swapped an invite:
 * SHA-256 over a domain tag and the two peer IDs' multihash bytes, sorted (each length-prefixed), shown as
 * {@link FINGERPRINT_GROUPS} groups of four digits, e.g. `0421 9930 1185 7702 4410`. It is symmetric — both sides
 * compute the same string — and depends on nothing but the two peer IDs, which every connection authenticates
 * (Noise): matching fingerprints mean each side's contact is the other's real key.
 *
 * @throws {Error} when either argument is not a peer ID
 */
export function fingerprint (peerIdA: string, peerIdB: string): string {
  const [first, second] = [peerIdA, peerIdB]
    .map(id => Buffer.from(peerIdFromString(id).toMultihash().bytes))
    .sort(Buffer.compare) as [Buffer, Buffer]
  const hash = createHash('sha256').update(FINGERPRINT_DOMAIN)
  for (const bytes of [first, second]) {
    const length = Buffer.alloc(2)
    length.writeUInt16BE(bytes.length)
    hash.update(length).update(bytes)
  }
  const digest = hash.digest()
  const groups: string[] = []
  for (let i = 0; i < FINGERPRINT_GROUPS; i++) groups.push(String(digest.readUInt32BE(i * 4) % 10_000).padStart(4, '0'))
  return groups.join(' ')
}
