/**
 * English: the outbox's words in every layer — the page's Transfers view, the app's refusals and notice, the table of
 * failures and the CLI (`ferry send --queue`, `ferry outbox`). Part of the English catalog (`./en.ts`).
 */
export const enOutbox = {
  // The table of failures (text/failures.ts)
  'failure.outboxStale.fileGone': 'A queued file is gone (moved or deleted) since it was queued, so nothing was sent.',
  'failure.outboxStale.fileChanged': 'A queued file changed after it was queued, so nothing was sent. Send it again.',
  'failure.outboxStale.other': 'A queued file could not be read when the contact came online, so nothing was sent.',
  'failure.outboxFull': 'The outbox is full. Cancel a queued send, or wait until some are delivered.',
  'failure.notAContact': 'Only a contact can get a queued send: add them as a contact first.',
  // The app (src-main/app/outbox.ts)
  'app.outbox.notAContact': 'Only a contact can get a queued send: add them as a contact first',
  'app.outbox.oneRecipient': 'A queued send goes to one contact: queue it for each of them',
  'app.outbox.delivered': 'Your queued send reached {name}.',
  // The page's Transfers view
  'outbox.title': 'Waiting to send',
  'outbox.waiting': 'Waiting for {name} to come online',
  'outbox.delivering': 'Offering to {name}…',
  'outbox.cancel': 'Cancel',
  'outbox.cancelWith': 'Cancel the queued send to {name}',
  'outbox.couldNotCancel': 'Could not cancel: ',
  'peer.queueHint': '{name} is offline: what you drop here waits in the outbox and is sent when they come online.',
  // The CLI
  'cli.option.queue': 'if the contact is offline, queue the send and wait until it comes online (Ctrl-C leaves it queued)',
  'cli.send.queued': 'Queued for {name}: waiting for them to come online (Ctrl-C leaves it in the outbox).',
  'cli.help.outbox': 'list or cancel sends waiting for a contact to come online',
  'cli.help.outboxList': 'list the queued sends',
  'cli.help.outboxCancel': 'remove a queued send (nothing of it is sent)',
  'cli.outbox.empty': 'The outbox is empty.',
  'cli.outbox.line': '{id}  to {peer}  {count, plural, one {# file} other {# files}}  {size}  queued {when}',
  'cli.outbox.lineText': '{id}  to {peer}  text, {size}  queued {when}',
  'cli.outbox.cancelled': 'Removed {id} from the outbox; nothing of it was sent.',
  'cli.outbox.notFound': 'No send {id} in the outbox.'
}
