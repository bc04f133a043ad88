/**
 * The `ferry` command line: `relay`, `receive`, `send`, `serve`, `history`, `invite`, `contacts`, `discover`, `doctor`. Every command drives the core API
 * (`src-main/core`), exits on its own when done, and with `--json` prints one JSON object per line.
 */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { errorMessage, showLogs } from '../core/index.ts'
import { RESUME_RETRY_FOR_MS } from '../core/index.ts'
import { contactsCommand } from './commands/contacts.ts'
import type { ContactsAction } from './commands/contacts.ts'
import { discoverCommand } from './commands/discover.ts'
import { doctorCommand } from './commands/doctor.ts'
import { historyCommand } from './commands/history.ts'
import { inviteCommand } from './commands/invite.ts'
import { receiveCommand } from './commands/receive.ts'
import { relayCommand } from './commands/relay.ts'
import { sendCommand } from './commands/send.ts'
import { serveCommand } from './commands/serve.ts'
import { collect } from './options.ts'
import { Output } from './output.ts'

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const program = new Command('ferry')
  .description('Send files peer to peer, on the LAN and across NATs.')
  .version(version, '-V, --version', 'print Ferry\'s version')
  .showHelpAfterError()
  .option('--verbose', 'print debug logs (the ferry:* namespaces) on stderr; DEBUG=ferry:dial,… picks some')
  // --verbose anywhere on the line (before or after the command) turns the logs on before the command runs.
  .hook('preAction', (root, command) => {
    if (root.opts().verbose === true || command.opts().verbose === true) showLogs('ferry:*', process.env.DEBUG)
  })

const peerOptions = (cmd: Command): Command => cmd
  .option('--data-dir <dir>', 'data directory (default: $FERRY_DATA_DIR or the platform app-data folder)')
  .option('--relay <multiaddr>', 'relay to use, repeatable (default: $FERRY_RELAYS or the public list; "none" for none)', collect)
  .option('--ice-servers <urls>', 'comma-separated STUN/TURN URLs (turn:USER:PASSWORD@host:3478), or "none" (default: $FERRY_ICE_SERVERS or public STUN)')
  .option('--listen <multiaddr>', 'extra listen address, repeatable (e.g. /ip4/0.0.0.0/tcp/0)', collect)
  .option('--no-mdns', 'no LAN discovery (mDNS); also FERRY_MDNS=off')
  .option('--json', 'print one JSON object per line')
  .option('--verbose', 'print debug logs on stderr')

async function run (fn: (out: Output) => Promise<number>, json: boolean | undefined): Promise<void> {
  const out = new Output(json === true)
  try {
    process.exitCode = await fn(out)
  } catch (err) {
    // A refused relay reservation also says why (`reason`: the relay's answer) and which relay.
    const { code, reason, relay } = err as { code?: string, reason?: string, relay?: string }
    out.error(code ?? 'internal', errorMessage(err), { ...(reason == null ? {} : { reason }), ...(relay == null ? {} : { relay }) })
    process.exitCode = 1
  }
}

program.command('relay')
  .description('run a circuit relay that peers use to find each other (it carries no file bytes unless --relay-data)')
  .option('--listen <multiaddr>', 'listen address, repeatable (default: /ip4/0.0.0.0/tcp/4001 and /ip4/0.0.0.0/tcp/4002/ws)', collect)
  .option('--announce <multiaddr>', 'address to announce instead, repeatable', collect)
  .option('--relay-data', 'also carry file bytes for peers that cannot connect directly (unlimited relayed connections; uses this relay\'s bandwidth)')
  .option('--data-dir <dir>', 'data directory (the relay key lives in <dir>/relay)')
  .option('--json', 'print one JSON object per line')
  .action(async (opts) => run(out => relayCommand(opts, out), opts.json))

peerOptions(program.command('receive')
  .description('receive files; prints the address to send to')
  .option('--out <dir>', 'folder to save into (default: the current folder)')
  .option('--yes', 'accept every offer without asking')
  .option('--once', 'exit after one transfer')
  .option('--no-relay-for-contacts', 'do not relay for contacts (by default a reachable receiver relays between its contacts, never for strangers)'))
  .action(async (opts) => run(out => receiveCommand(opts, out), opts.json))

peerOptions(program.command('send')
  .description('send files and folders to a peer')
  .addOption(new Option('--to <multiaddr|peer ID|contact>', 'the receiver: its address (as `ferry receive` prints it), or a peer ID or contact name (found on the LAN, else via its relay)').makeOptionMandatory())
  .option('--retry-for <seconds>', 'after the connection drops, keep trying to resume for this long', String(RESUME_RETRY_FOR_MS / 1000))
  .argument('<paths...>', 'files and folders to send'))
  .action(async (paths: string[], opts) => run(out => sendCommand(paths, opts, out), opts.json))

peerOptions(program.command('serve')
  .description('run Ferry without Electron: the app in your browser at a 127.0.0.1 URL (printed, with its access token)')
  .option('--port <n>', 'TCP port on 127.0.0.1 (default: the last run\'s if free, else a free one)')
  .option('--new-token', 'make a new access token (pages opened with the old one are refused)')
  .option('--out <dir>', 'folder to save received files into (default: the stored setting, else ~/Downloads)'))
  .action(async (opts) => run(out => serveCommand(opts, out), opts.json))

program.command('history')
  .description('list recorded transfers')
  .option('--data-dir <dir>', 'data directory')
  .option('--peer <peer ID>', 'only transfers with this peer')
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'print one JSON object per line')
  .action(async (opts) => run(out => historyCommand(opts, out), opts.json))

program.command('invite')
  .description('print your ferry: invite (peer ID, relays, name) as text and a QR code')
  .option('--name <name>', 'the name the invite shows (default: this computer\'s name)')
  .option('--data-dir <dir>', 'data directory')
  .option('--relay <multiaddr>', 'relay to put in the invite, repeatable (default: $FERRY_RELAYS or the public list)', collect)
  .option('--json', 'print one JSON object per line')
  .action(async (opts) => run(out => inviteCommand(opts, out), opts.json))

const contacts = program.command('contacts').description('list and edit contacts (peers known by peer ID)')
const contactsCmd = (name: string, description: string): Command => contacts.command(name).description(description)
  .option('--data-dir <dir>', 'data directory')
  .option('--json', 'print one JSON object per line')
const runContacts = async (what: ContactsAction, opts: { dataDir?: string, json?: boolean }): Promise<void> => run(out => contactsCommand(what, opts, out), opts.json)
contactsCmd('list', 'list contacts with their fingerprint and when they were last seen')
  .action(async (opts) => runContacts({ action: 'list' }, opts))
contactsCmd('add', 'add a contact from a ferry: invite (or a bare peer ID)')
  .argument('<invite>', 'the ferry: invite, or a peer ID')
  .option('--name <name>', 'the name to give the contact (default: the invite\'s)')
  .option('--trusted', 'accept their offers without asking')
  .action(async (invite: string, opts) => runContacts({ action: 'add', invite, name: opts.name, trusted: opts.trusted }, opts))
contactsCmd('rename', 'rename a contact').argument('<contact>', 'name or peer ID').argument('<name>', 'the new name')
  .action(async (contact: string, name: string, opts) => runContacts({ action: 'rename', contact, name }, opts))
contactsCmd('trust', 'accept a contact\'s offers without asking (--off: ask again)').argument('<contact>', 'name or peer ID')
  .option('--off', 'stop trusting')
  .action(async (contact: string, opts) => runContacts({ action: 'trust', contact, off: opts.off }, opts))
contactsCmd('block', 'refuse every connection from a contact (--off: unblock)').argument('<contact>', 'name or peer ID')
  .option('--off', 'unblock')
  .action(async (contact: string, opts) => runContacts({ action: 'block', contact, off: opts.off }, opts))
contactsCmd('remove', 'remove a contact').argument('<contact>', 'name or peer ID')
  .action(async (contact: string, opts) => runContacts({ action: 'remove', contact }, opts))

program.command('discover')
  .description('list the Ferry peers on this LAN (mDNS; no relay needed)')
  .option('--timeout <seconds>', 'how long to listen', '3')
  .option('--data-dir <dir>', 'data directory')
  .option('--json', 'print one JSON object per line')
  .action(async (opts) => run(out => discoverCommand(opts, out), opts.json))

program.command('doctor')
  .description('check the network: which relays answer and how fast, whether UDP gets out, the NAT\'s mapping, and what that means for reaching people')
  .option('--relay <multiaddr>', 'relay to check, repeatable (default: $FERRY_RELAYS or the public list)', collect)
  .option('--ice-servers <urls>', 'comma-separated STUN/TURN URLs to ask (default: $FERRY_ICE_SERVERS or public STUN)')
  .option('--json', 'print one JSON object per line')
  .option('--verbose', 'print debug logs on stderr')
  .action(async (opts) => run(out => doctorCommand(opts, out), opts.json))

await program.parseAsync(process.argv)
