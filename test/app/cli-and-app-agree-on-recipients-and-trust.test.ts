/**
 * Invariant: the `ferry` CLI and the app service resolve recipients and apply trust through the same app layer, so
 * the same scenario gives the same outcome through either:
 * - a send to a contact **by name** reaches that contact, delivers the file, and records the contact as seen;
 * - a send to a blocked contact is refused with code `blocked` before anything is dialled (the recipient never sees a
 *   connection from the sender);
 * - a receiver that accepts files only from contacts refuses a stranger unseen: the stranger's send ends `declined`,
 *   the receiver shows no offer and records nothing.
 * Each scenario runs once with real `ferry` processes and once with apps (`startApp`), on one loopback relay.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ferry, history, stopAll } from '../helpers/cli.ts'
import type { Event } from '../helpers/cli.ts'
import { rm, tempDir } from '../helpers/files.ts'
import { TestNetwork } from '../helpers/peers.ts'
import { nextEvent, record, startTestApp } from './helpers.ts'
import type { TestApp } from './helpers.ts'

/** Runs `ferry <args>` to its end; returns its exit code and events. */
async function run (args: string[]): Promise<{ code: number | string, events: Event[], stderr: string }> {
  const p = ferry(args)
  const code = await p.exitCode(120_000)
  return { code, events: p.events, stderr: p.stderr }
}

/** Runs `ferry <args>`, which must exit 0; returns its events. */
async function ok (args: string[]): Promise<Event[]> {
  const { code, events, stderr } = await run(args)
  assert.equal(code, 0, `ferry ${args.join(' ')}: ${stderr} ${JSON.stringify(events)}`)
  return events
}

describe('the CLI and the app agree on recipients and trust', () => {
  const signal = new AbortController().signal
  let net: TestNetwork
  let bob: TestApp
  let appAlice: TestApp
  let cliAlice: { dataDir: string, peerId: string }
  /** Peer IDs that dialled Bob (inbound connections Bob's node opened), in order. */
  const bobConnections: string[] = []

  before(async () => {
    net = await TestNetwork.start(await tempDir('ferry-cli-app-agree-'))
    ;[bob, appAlice] = await Promise.all([startTestApp(net, 'bob'), startTestApp(net, 'alice-app')])
    bob.peer.node.addEventListener('connection:open', (evt) => {
      // Bob's own presence checks dial the Alices too; only their dials count here.
      if (evt.detail.direction === 'inbound') bobConnections.push(evt.detail.remotePeer.toString())
    })
    const dataDir = join(net.root, 'alice-cli', 'data')
    const [cliInvite] = await ok(['invite', '--data-dir', dataDir, '--name', 'alice-cli'])
    cliAlice = { dataDir, peerId: cliInvite?.peerId as string }

    // Both Alices know Bob as a contact named "Bob" (from his invite, which names the relay); Bob trusts both, so
    // their offers are accepted without asking.
    const bobInvite = (await bob.handlers.getSnapshot({}, signal)).identity.invite
    await ok(['contacts', 'add', bobInvite, '--name', 'Bob', '--data-dir', cliAlice.dataDir])
    await appAlice.handlers.addContact({ invite: bobInvite, name: 'Bob' }, signal)
    const appAliceInvite = (await appAlice.handlers.getSnapshot({}, signal)).identity.invite
    for (const invite of [appAliceInvite, cliInvite?.invite as string]) {
      const added = await bob.handlers.addContact({ invite }, signal)
      await bob.handlers.updateContact({ peerId: added.peerId, trusted: true }, signal)
    }
  })
  after(async () => {
    await stopAll()
    await Promise.all([bob?.stop(), appAlice?.stop()])
    await net?.stop()
    await rm(net.root, { recursive: true, force: true })
  })

  it('a send to a contact by name reaches it, delivers the file and records the contact as seen', async () => {
    const cliFile = join(net.root, 'from-cli.txt')
    const appFile = join(net.root, 'from-app.txt')
    await writeFile(cliFile, 'sent with ferry send\n')
    await writeFile(appFile, 'sent with the app\n')

    // The CLI: `ferry send --to bob` (the name, in another case than stored).
    const sent = await ok(['send', '--to', 'bob', '--relay', net.relayAddr, '--no-mdns', '--data-dir', cliAlice.dataDir, cliFile])
    const route = sent.find(e => e.event === 'route')
    const cliOutcome = {
      peerId: route?.peerId,
      contact: route?.contact,
      completed: sent.some(e => e.event === 'complete'),
      delivered: await readFile(join(bob.downloadDir, 'from-cli.txt'), 'utf8'),
      seen: ((await ok(['contacts', 'list', '--data-dir', cliAlice.dataDir])).find(e => e.peerId === bob.peer.peerId)?.lastSeenAt ?? null) != null
    }

    // The app: `sendTo('bob', …)`.
    const completed = nextEvent(appAlice, 'transfer', t => t.direction === 'send' && ['completed', 'failed', 'declined', 'interrupted'].includes(t.state), 120_000)
    const { transferId, peerId } = await appAlice.sendTo('bob', [{ path: appFile, relativePath: 'from-app.txt' }], signal)
    const view = await completed
    assert.equal(view.id, transferId)
    const peers = (await appAlice.handlers.getSnapshot({}, signal)).peers
    const appOutcome = {
      peerId,
      contact: peers.find(p => p.peerId === peerId)?.name,
      completed: view.state === 'completed',
      delivered: await readFile(join(bob.downloadDir, 'from-app.txt'), 'utf8'),
      seen: (peers.find(p => p.peerId === bob.peer.peerId)?.lastSeenAt ?? null) != null
    }

    assert.deepEqual(cliOutcome, { peerId: bob.peer.peerId, contact: 'Bob', completed: true, delivered: 'sent with ferry send\n', seen: true })
    assert.deepEqual(appOutcome, { ...cliOutcome, delivered: 'sent with the app\n' })
  })

  it('a send to a blocked contact is refused with code blocked before anything is dialled', async () => {
    const file = join(net.root, 'not-for-bob.txt')
    await writeFile(file, 'never sent\n')
    await ok(['contacts', 'block', 'bob', '--data-dir', cliAlice.dataDir])
    await appAlice.handlers.updateContact({ peerId: bob.peer.peerId, blocked: true }, signal)
    const connectionsBefore = bobConnections.length

    const cli = await run(['send', '--to', 'Bob', '--relay', net.relayAddr, '--no-mdns', '--data-dir', cliAlice.dataDir, file])
    const cliOutcome = {
      refused: cli.code !== 0,
      code: cli.events.find(e => e.event === 'error')?.code,
      dialled: cli.events.some(e => e.event === 'route' || e.event === 'connected')
    }

    const shown = record(appAlice, 'transfer')
    const app = await appAlice.sendTo('Bob', [{ path: file, relativePath: 'not-for-bob.txt' }], signal).then(() => undefined, (err: { code?: string }) => err)
    shown.off()
    const appOutcome = { refused: app != null, code: app?.code, dialled: shown.seen.length > 0 }

    assert.deepEqual(cliOutcome, { refused: true, code: 'blocked', dialled: false }, cli.stderr)
    assert.deepEqual(appOutcome, cliOutcome)
    const fromAlices = bobConnections.slice(connectionsBefore).filter(id => id === cliAlice.peerId || id === appAlice.peer.peerId)
    assert.deepEqual(fromAlices, [], 'neither sender dialled Bob')
  })

  it('a contacts-only receiver refuses a stranger unseen', async () => {
    const stranger = await startTestApp(net, 'stranger')
    const carol = await startTestApp(net, 'carol')
    const file = join(net.root, 'from-a-stranger.txt')
    await writeFile(file, 'hello from nobody\n')
    try {
      /** The stranger sends to `peerId` by peer ID; resolves with how its transfer ended. */
      const strangerSends = async (peerId: string): Promise<{ state: string, code: string | undefined }> => {
        const ended = nextEvent(stranger, 'transfer', t => t.peerId === peerId && ['completed', 'failed', 'declined', 'interrupted', 'cancelled'].includes(t.state), 120_000)
        await stranger.handlers.sendLocalFiles({ peerId, files: [{ path: file, relativePath: 'from-a-stranger.txt' }] }, signal)
        const view = await ended
        return { state: view.state, code: view.error?.code }
      }

      // The CLI: `ferry receive --contacts-only`.
      const rxDir = join(net.root, 'rx-cli', 'data')
      const receiver = ferry(['receive', '--contacts-only', '--relay', net.relayAddr, '--no-mdns', '--data-dir', rxDir, '--out', join(net.root, 'rx-cli', 'downloads')])
      const ready = await receiver.waitFor('ready', 60_000)
      const cliSender = await strangerSends(ready.peerId as string)
      await receiver.stop()
      const cliOutcome = {
        sender: cliSender,
        offersShown: receiver.events.filter(e => e.event === 'offer').length,
        recorded: (await history(rxDir)).length
      }

      // The app: the contactsOnly setting.
      await carol.handlers.updateSettings({ contactsOnly: true }, signal)
      const offers = record(carol, 'offer')
      const appSender = await strangerSends(carol.peer.peerId)
      offers.off()
      const appOutcome = {
        sender: appSender,
        offersShown: offers.seen.length,
        recorded: (await carol.handlers.listHistory({}, signal)).length
      }

      assert.deepEqual(cliOutcome, { sender: { state: 'declined', code: 'declined' }, offersShown: 0, recorded: 0 })
      assert.deepEqual(appOutcome, cliOutcome)
    } finally {
      await Promise.all([stranger.stop(), carol.stop()])
    }
  })
})
