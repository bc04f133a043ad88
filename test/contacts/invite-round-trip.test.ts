/**
 * Invariant: an invite carries a peer's identity (peer ID), its relays and its display name, and importing it adds
 * exactly that contact — text in, same fields out, through the schema; anything malformed is refused with
 * `invalid-invite` before it reaches the store. The fingerprint both sides compare is symmetric (each side computes
 * the same digits), stable (a fixed pair gives fixed digits across runs and versions of this scheme), and differs for
 * a different pair.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { decodeInvite, encodeInvite, fingerprint, MAX_INVITE_RELAYS } from '../../src-main/core/contacts/index.ts'
import { ferry, stopAll } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'

const ALICE = '12D3KooWCZUJEei2Y5WX2UmPwcedAeAtW76ACeW58T6FedsWua9s'
const BOB = '12D3KooWGRUVh2W5jRQbjXZydC2A7QDVmPZwn5yPtU6NU5Lj1DHH'
const RELAY = `/ip4/127.0.0.1/tcp/4001/p2p/${BOB}`

async function newPeerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

describe('invites', () => {
  it('an invite decodes to exactly what was encoded (peer ID, name, relays)', () => {
    const invite = { peerId: ALICE, name: 'Alice’s laptop & co', relays: [RELAY, `/dns4/relay.example.org/tcp/443/wss/p2p/${BOB}`] }
    const text = encodeInvite(invite)
    assert.match(text, /^ferry:12D3KooW[1-9A-HJ-NP-Za-km-z]+\?/)
    assert.deepEqual(decodeInvite(text), invite)
    assert.deepEqual(decodeInvite(`  ${text.replace('ferry:', 'FERRY:')}\n`), invite, 'white space and the scheme\'s case do not matter')
    assert.deepEqual(decodeInvite(`ferry:${ALICE}`), { peerId: ALICE, relays: [] }, 'name and relays are optional')
    assert.deepEqual(decodeInvite(`${text}&future=1`), invite, 'unknown parameters are ignored')
  })

  it('the kind of device travels in the invite; an invite without it (an older Ferry\'s) still decodes, an unknown kind is ignored', () => {
    const invite = { peerId: ALICE, name: 'Alice', device: 'laptop' as const, relays: [RELAY] }
    const text = encodeInvite(invite)
    assert.match(text, /[?&]device=laptop(&|$)/)
    assert.deepEqual(decodeInvite(text), invite)
    const old = encodeInvite({ peerId: ALICE, name: 'Alice', relays: [RELAY] })
    assert.doesNotMatch(old, /device=/)
    assert.deepEqual(decodeInvite(old), { peerId: ALICE, name: 'Alice', relays: [RELAY] }, 'an invite from before the field decodes as before')
    const withKind = (kinds: string[]): string => `ferry:${ALICE}?name=Alice${kinds.map(k => `&device=${encodeURIComponent(k)}`).join('')}`
    for (const kinds of [['phone'], ['LAPTOP'], [''], ['x'.repeat(1000)], ['laptop', 'server']]) {
      assert.deepEqual(decodeInvite(withKind(kinds)), { peerId: ALICE, name: 'Alice', relays: [] }, `device=${kinds.join(',').slice(0, 20)} is ignored`)
    }
    for (const kind of ['desktop', 'laptop', 'server'] as const) assert.equal(decodeInvite(withKind([kind])).device, kind)
  })

  const bad: Array<[string, string]> = [
    ['not an invite', `https://example.org/${ALICE}`],
    ['a bad peer ID', 'ferry:12D3KooWnotapeerid'],
    ['a relay that is not a multiaddr', `ferry:${ALICE}?relay=hello`],
    ['a relay without its peer ID', `ferry:${ALICE}?relay=${encodeURIComponent('/ip4/1.2.3.4/tcp/1')}`],
    ['a relay that is itself a circuit', `ferry:${ALICE}?relay=${encodeURIComponent(`${RELAY}/p2p-circuit/p2p/${ALICE}`)}`],
    ['a name with terminal escapes', `ferry:${ALICE}?name=${encodeURIComponent('evil\u001b[2J')}`],
    ['a name with a bidirectional override', `ferry:${ALICE}?name=${encodeURIComponent('gpj.\u202eexe')}`],
    ['a name too long', `ferry:${ALICE}?name=${'x'.repeat(65)}`],
    ['two names', `ferry:${ALICE}?name=a&name=b`],
    ['too many relays', `ferry:${ALICE}?${Array.from({ length: MAX_INVITE_RELAYS + 1 }, () => `relay=${encodeURIComponent(RELAY)}`).join('&')}`],
    ['a text too long', `ferry:${ALICE}?pad=${'x'.repeat(3000)}`]
  ]
  for (const [what, text] of bad) {
    it(`an invite with ${what} is refused (invalid-invite)`, () => {
      assert.throws(() => decodeInvite(text), (err: Error & { code?: string }) => err.name === 'InvalidInviteError' && err.code === 'invalid-invite')
    })
  }

  it('encoding validates too: a malformed relay cannot be put into an invite', () => {
    assert.throws(() => encodeInvite({ peerId: ALICE, relays: ['/ip4/1.2.3.4/tcp/1'] }), { name: 'InvalidInviteError' })
  })
})

describe('fingerprint', () => {
  it('is the same on both sides, fixed for a fixed pair, and differs for another pair', async () => {
    assert.equal(fingerprint(ALICE, BOB), fingerprint(BOB, ALICE))
    // A golden value: a change of the scheme must be deliberate (it would make old comparisons disagree).
    assert.equal(fingerprint(ALICE, BOB), '8080 8631 2148 4646 8222')
    assert.match(fingerprint(ALICE, BOB), /^\d{4}( \d{4}){4}$/)
    const carol = await newPeerId()
    assert.notEqual(fingerprint(ALICE, carol), fingerprint(ALICE, BOB))
    assert.notEqual(fingerprint(BOB, carol), fingerprint(ALICE, BOB))
    assert.throws(() => fingerprint(ALICE, 'not-a-peer-id'))
  })
})

describe('invite round trip through the CLI', () => {
  let dir: string
  before(async () => { dir = await tempDir('ferry-invite-') })
  after(async () => {
    await stopAll()
    await rm(dir, { recursive: true, force: true })
  })

  async function run (args: string[]): Promise<Array<Record<string, unknown>>> {
    const p = ferry(args)
    const code = await p.exitCode()
    assert.equal(code, 0, `ferry ${args.join(' ')}: ${p.stderr} ${JSON.stringify(p.events)}`)
    return p.events
  }

  it('A\'s invite added by B (and B\'s by A) gives each the other as a contact with the same fingerprint', async () => {
    const a = join(dir, 'a')
    const b = join(dir, 'b')
    const [inviteA] = await run(['invite', '--data-dir', a, '--name', 'Alice', '--relay', RELAY])
    const [inviteB] = await run(['invite', '--data-dir', b, '--name', 'Bob'])
    assert.equal(inviteA?.event, 'invite')
    // The invite carries this device's kind (the app's default for it: ./src-main/app/device.ts), as the app's does.
    assert.deepEqual(decodeInvite(inviteA?.invite as string), { peerId: inviteA?.peerId, name: 'Alice', device: inviteA?.device, relays: [RELAY] })
    assert.ok(['desktop', 'laptop', 'server'].includes(inviteA?.device as string), `the invite's kind of device: ${String(inviteA?.device)}`)

    const [addedByB] = await run(['contacts', 'add', inviteA?.invite as string, '--data-dir', b])
    await run(['contacts', 'add', inviteB?.invite as string, '--data-dir', a])
    assert.equal(addedByB?.peerId, inviteA?.peerId)
    assert.equal(addedByB?.name, 'Alice')
    assert.deepEqual(addedByB?.relays, [RELAY], 'the invite\'s relay is kept to reach the contact')
    assert.equal(addedByB?.trusted, false, 'a new contact is not trusted unless asked')

    const [listedByA] = await run(['contacts', 'list', '--data-dir', a])
    const [listedByB] = await run(['contacts', 'list', '--data-dir', b])
    assert.equal(listedByA?.peerId, inviteB?.peerId)
    assert.equal(listedByA?.fingerprint, listedByB?.fingerprint, 'both sides see the same fingerprint')
    assert.equal(listedByB?.fingerprint, fingerprint(inviteA?.peerId as string, inviteB?.peerId as string))

    const renamed = await run(['contacts', 'rename', 'alice', 'Alice (work)', '--data-dir', b])
    assert.equal(renamed[0]?.name, 'Alice (work)', 'a contact is named by its name, case-insensitively')
    const trusted = await run(['contacts', 'trust', 'Alice (work)', '--data-dir', b])
    assert.equal(trusted[0]?.trusted, true)
    const bad = ferry(['contacts', 'add', 'ferry:garbage', '--data-dir', b])
    assert.equal(await bad.exitCode(), 1)
    assert.equal((await bad.waitFor('error')).code, 'invalid-invite')
    const removed = await run(['contacts', 'remove', inviteA?.peerId as string, '--data-dir', b])
    assert.equal(removed[0]?.event, 'removed')
    const [empty] = await run(['contacts', 'list', '--data-dir', b])
    assert.equal(empty?.event, 'empty')
  })
})
