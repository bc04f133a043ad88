/**
 * Attack: Mallory's invite names her with Bob's peer ID, hoping that `ferry send --to <Bob's peer ID>` resolves the
 * name and routes Bob's files to her.
 * Invariant: the core's `resolveContact`, and the app layer's `resolveRecipient` built on it (used by `ferry send` and
 * the app), read a valid peer ID as that peer, whatever contacts are named; names are looked up only for text that is
 * not a peer ID.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { resolveRecipient } from '../../src-main/app/index.ts'
import { resolveContact } from '../../src-main/core/contacts/index.ts'
import { openStore } from '../../src-main/core/store/index.ts'
import type { Store } from '../../src-main/core/store/index.ts'
import { rm, tempDir } from '../helpers/files.ts'

async function newPeerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

describe('hostile: a contact named like another peer\'s ID (CLI routing)', () => {
  let dir: string
  let store: Store

  before(async () => {
    dir = await tempDir('ferry-named-like-id-')
    store = openStore(join(dir, 'ferry.db'))
  })
  after(async () => {
    store?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('a peer ID resolves to that peer, not to a contact named with it', async () => {
    const bob = await newPeerId()
    const mallory = await newPeerId()
    store.contacts.upsert({ peerId: mallory, name: bob })
    assert.deepEqual(resolveContact(store, bob), { peerId: bob, contact: undefined })
    assert.deepEqual(resolveRecipient(store, bob), { by: 'peer-id', peerId: bob, contact: undefined })
    store.contacts.upsert({ peerId: bob, name: 'Bob' })
    assert.equal(resolveContact(store, bob).contact?.name, 'Bob')
    // Names still work for text that is not a peer ID.
    assert.equal(resolveContact(store, 'bob').peerId, bob)
    assert.deepEqual({ ...resolveRecipient(store, 'bob'), contact: undefined }, { by: 'name', peerId: bob, contact: undefined })
  })
})
