/**
 * The `ferry` command line: `relay`, `receive`, `send`, `serve`, `history`, `invite`, `contacts`, `outbox`, `discover`,
 * `doctor`.
 * Every command parses its flags, calls the app layer (`src-main/app/index.ts`: the same recipients, receive policy, presence,
 * contacts and history as the desktop app) or the core's public surface (`src-main/core/index.ts`: the relay, types),
 * prints what happens, exits on its own when done, and with `--json` prints one JSON object per line.
 */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { showLogs } from '../core/index.ts'
import { RESUME_RETRY_FOR_MS } from '../core/index.ts'
import { contactsCommand } from './commands/contacts.ts'
import type { ContactsAction } from './commands/contacts.ts'
import { discoverCommand } from './commands/discover.ts'
import { doctorCommand } from './commands/doctor.ts'
import { historyCommand } from './commands/history.ts'
import { inviteCommand } from './commands/invite.ts'
import { outboxCommand } from './commands/outbox.ts'
import { receiveCommand } from './commands/receive.ts'
import { relayCommand } from './commands/relay.ts'
import { sendCommand } from './commands/send.ts'
import { serveCommand } from './commands/serve.ts'
import { collect } from './options.ts'
import { Output } from './output.ts'
import { resolveLanguage, setLanguage, t } from '../text/index.ts'
import type { FailureContext } from '../text/index.ts'
import { systemLocale } from '../app/index.ts'

// Help and human lines in the system's language (LC_ALL, LC_MESSAGES, LANG; docs/I18N.md); JSON events stay English.
setLanguage(resolveLanguage('system', systemLocale()))

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const program = new Command('ferry')
  .description(t('cli.help.program'))
  .version(version, '-V, --version', t('cli.help.version'))
  .showHelpAfterError()
  .option('--verbose', t('cli.help.verbose'))
  // --verbose anywhere on the line (before or after the command) turns the logs on before the command runs.
  .hook('preAction', (root, command) => {
    if (root.opts().verbose === true || command.opts().verbose === true) showLogs('ferry:*', process.env.DEBUG)
  })

const peerOptions = (cmd: Command): Command => cmd
  .option('--data-dir <dir>', t('cli.help.dataDir'))
  .option('--relay <multiaddr>', t('cli.help.relay'), collect)
  .option('--ice-servers <urls>', t('cli.help.iceServers'))
  .option('--listen <multiaddr>', t('cli.help.listen'), collect)
  .option('--no-mdns', t('cli.help.noMdns'))
  .option('--json', t('cli.help.json'))
  .option('--verbose', t('cli.help.verboseShort'))

/**
 * Runs a command; a failure is printed in the words of the one table of failures (`ctx`: the side this command is on,
 * e.g. a send's full disk is the receiver's) and exits 1.
 */
async function run (fn: (out: Output) => Promise<number>, json: boolean | undefined, ctx: FailureContext = {}): Promise<void> {
  const out = new Output(json === true)
  // With --json every line is an event of the API: its words (`message` fields included) stay English.
  if (out.json) setLanguage('en')
  try {
    process.exitCode = await fn(out)
  } catch (err) {
    // A refused relay reservation also says why (`reason`: the relay's answer) and which relay.
    const { relay } = err as { relay?: string }
    out.failure(err, ctx, relay == null ? {} : { relay })
    process.exitCode = 1
  }
}

program.command('relay')
  .description(t('cli.help.relayCommand'))
  .option('--listen <multiaddr>', t('cli.help.relayListen'), collect)
  .option('--announce <multiaddr>', t('cli.help.announce'), collect)
  .option('--relay-data', t('cli.help.relayData'))
  .option('--data-dir <dir>', t('cli.help.relayDataDir'))
  .option('--json', t('cli.help.json'))
  .action(async (opts) => run(out => relayCommand(opts, out), opts.json))

peerOptions(program.command('receive')
  .description(t('cli.help.receive'))
  .option('--out <dir>', t('cli.help.out'))
  .option('--yes', t('cli.help.yes'))
  .option('--contacts-only', t('cli.help.contactsOnly'))
  .option('--once', t('cli.help.once'))
  .option('--accept-glob <glob>', t('cli.help.acceptGlob'), collect)
  .option('--no-upnp', t('cli.help.noUpnp'))
  .option('--no-relay-for-contacts', t('cli.help.noRelayForContacts')))
  .action(async (opts) => run(out => receiveCommand(opts, out), opts.json))

peerOptions(program.command('send')
  .description(t('cli.help.send'))
  .addOption(new Option('--to <multiaddr|peer ID|contact>', t('cli.help.to')).makeOptionMandatory().argParser(collect))
  .option('--limit-rate <MiB/s>', t('cli.help.limitRate'))
  .option('--retry-for <seconds>', t('cli.help.retryFor'), String(RESUME_RETRY_FOR_MS / 1000))
  .option('--text <text>', t('cli.help.text'))
  .option('--queue', t('cli.option.queue'))
  .argument('[paths...]', t('cli.help.paths')))
  .action(async (paths: string[], opts) => run(out => sendCommand(paths, opts, out), opts.json, { direction: 'send' }))

peerOptions(program.command('serve')
  .description(t('cli.help.serve'))
  .option('--port <n>', t('cli.help.port'))
  .option('--new-token', t('cli.help.newToken'))
  .option('--out <dir>', t('cli.help.serveOut'))
  .option('--no-upnp', t('cli.help.serveNoUpnp')))
  .action(async (opts) => run(out => serveCommand(opts, out), opts.json))

program.command('history')
  .description(t('cli.help.history'))
  .option('--data-dir <dir>', t('cli.help.dataDirShort'))
  .option('--peer <peer ID>', t('cli.help.peer'))
  .option('--limit <n>', t('cli.help.limit'), '50')
  .option('--json', t('cli.help.json'))
  .action(async (opts) => run(out => historyCommand(opts, out), opts.json))

program.command('invite')
  .description(t('cli.help.invite'))
  .option('--name <name>', t('cli.help.inviteName'))
  .option('--data-dir <dir>', t('cli.help.dataDirShort'))
  .option('--relay <multiaddr>', t('cli.help.inviteRelay'), collect)
  .option('--json', t('cli.help.json'))
  .action(async (opts) => run(out => inviteCommand(opts, out), opts.json))

const contacts = program.command('contacts').description(t('cli.help.contacts'))
const contactsCmd = (name: string, description: string): Command => contacts.command(name).description(description)
  .option('--data-dir <dir>', t('cli.help.dataDirShort'))
  .option('--json', t('cli.help.json'))
const runContacts = async (what: ContactsAction, opts: { dataDir?: string, json?: boolean }): Promise<void> => run(out => contactsCommand(what, opts, out), opts.json)
contactsCmd('list', t('cli.help.contactsList'))
  .action(async (opts) => runContacts({ action: 'list' }, opts))
contactsCmd('add', t('cli.help.contactsAdd'))
  .argument('<invite>', t('cli.help.inviteArg'))
  .option('--name <name>', t('cli.help.contactName'))
  .option('--trusted', t('cli.help.trusted'))
  .action(async (invite: string, opts) => runContacts({ action: 'add', invite, name: opts.name, trusted: opts.trusted }, opts))
contactsCmd('rename', t('cli.help.rename')).argument('<contact>', t('cli.help.contactArg')).argument('<name>', t('cli.help.newName'))
  .action(async (contact: string, name: string, opts) => runContacts({ action: 'rename', contact, name }, opts))
contactsCmd('trust', t('cli.help.trust')).argument('<contact>', t('cli.help.contactArg'))
  .option('--off', t('cli.help.trustOff'))
  .action(async (contact: string, opts) => runContacts({ action: 'trust', contact, off: opts.off }, opts))
contactsCmd('block', t('cli.help.block')).argument('<contact>', t('cli.help.contactArg'))
  .option('--off', t('cli.help.blockOff'))
  .action(async (contact: string, opts) => runContacts({ action: 'block', contact, off: opts.off }, opts))
contactsCmd('remove', t('cli.help.remove')).argument('<contact>', t('cli.help.contactArg'))
  .action(async (contact: string, opts) => runContacts({ action: 'remove', contact }, opts))

const outbox = program.command('outbox').description(t('cli.help.outbox'))
const outboxCmd = (name: string, description: string): Command => outbox.command(name).description(description)
  .option('--data-dir <dir>', t('cli.help.dataDirShort'))
  .option('--json', t('cli.help.json'))
outboxCmd('list', t('cli.help.outboxList'))
  .action(async (opts) => run(out => outboxCommand({ action: 'list' }, opts, out), opts.json))
outboxCmd('cancel', t('cli.help.outboxCancel')).argument('<id>', t('cli.help.outboxCancel'))
  .action(async (id: string, opts) => run(out => outboxCommand({ action: 'cancel', id }, opts, out), opts.json))

program.command('discover')
  .description(t('cli.help.discover'))
  .option('--timeout <seconds>', t('cli.help.timeout'), '3')
  .option('--data-dir <dir>', t('cli.help.dataDirShort'))
  .option('--json', t('cli.help.json'))
  .action(async (opts) => run(out => discoverCommand(opts, out), opts.json))

program.command('doctor')
  .description(t('cli.help.doctor'))
  .option('--relay <multiaddr>', t('cli.help.doctorRelay'), collect)
  .option('--ice-servers <urls>', t('cli.help.doctorIce'))
  .option('--json', t('cli.help.json'))
  .option('--verbose', t('cli.help.verboseShort'))
  .action(async (opts) => run(out => doctorCommand(opts, out), opts.json))

await program.parseAsync(process.argv)
