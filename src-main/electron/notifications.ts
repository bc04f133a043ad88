/**
 * Native notifications for incoming offers and for transfers that finished (completed, failed, declined, or
 * interrupted by a failed file operation such as a full disk), shown while the window is not focused; clicking one
 * brings the window forward. The texts are built here from the app's views, whose error messages are the words of the
 * one table of failures (src-main/text/failures.ts);
 * peer-supplied text (names, file names) is stripped of control and bidi-override characters and shortened, and
 * notifications are plain text, never markup.
 */
import type { Notification, NotificationConstructorOptions } from 'electron'
import type { OfferView, TransferView } from '../api/index.ts'
import type { EventSource } from './ipc.ts'
import { cleanText, formatBytes, t } from '../text/index.ts'

/** Longest peer-supplied name shown in a notification, characters. */
const MAX_NAME = 48

/** Title and body of the notification for an incoming offer. */
export function offerNotification (offer: OfferView): { title: string, body: string } {
  const who = cleanText(offer.contactName ?? offer.senderName ?? `peer-${offer.shortId}`, MAX_NAME)
  const count = offer.files.length
  const first = offer.files[0]
  const what = count === 1 && first != null ? cleanText(first.path.split('/').pop() ?? first.path, 64) : t('common.files', { count })
  const size = formatBytes(offer.totalBytes)
  return {
    title: t('notify.offer.title', { who, what }),
    body: offer.isContact ? t('notify.offer.body', { size }) : t('notify.offer.bodyNotContact', { size })
  }
}

/** Title and body for a transfer that reached an end state, or null for states that are not notified. */
export function transferNotification (tr: TransferView): { title: string, body: string } | null {
  // A peer that is not a contact chose its name itself (it may be a contact's name): say so.
  const name = cleanText(tr.peerName, MAX_NAME)
  const who = tr.isContact ? name : t('notify.notContact', { name })
  const size = formatBytes(tr.totalBytes)
  const files = t('common.files', { count: tr.fileCount })
  switch (tr.state) {
    case 'completed':
      return tr.direction === 'receive'
        ? { title: t('notify.received', { files, who }), body: t('notify.received.body', { size }) }
        : { title: t('notify.sent', { files, who }), body: t('notify.sent.body', { size, who }) }
    case 'declined':
      return tr.direction === 'send' ? { title: t('notify.declined', { who }), body: t('notify.declined.body', { files, size }) } : null
    case 'failed':
      return { title: t(tr.direction === 'send' ? 'notify.failed.send' : 'notify.failed.receive', { who }), body: cleanText(tr.error?.message ?? t('notify.unknownError'), 120) }
    case 'interrupted':
      // Stopped by a failed file operation (a full disk keeps the partial file and records `interrupted`) — not a
      // pause or a lost connection, which resume by themselves.
      return tr.error?.reason == null ? null : { title: t(tr.direction === 'send' ? 'notify.stopped.send' : 'notify.stopped.receive', { who }), body: cleanText(tr.error.message, 120) }
    default:
      return null
  }
}

/** Options of {@link createNotifier}. */
export interface NotifierInit {
  /** `Notification` from electron (or a fake). */
  Notification: new (options: NotificationConstructorOptions) => Pick<Notification, 'on' | 'show'>
  /** Whether notifications can be shown (`Notification.isSupported()`). */
  supported: boolean
  events: EventSource
  /** True while the window is focused (then nothing is notified: the page shows it). */
  isFocused: () => boolean
  /** Brings the window forward. */
  focus: () => void
  icon?: string
}

/**
 * Shows a notification for every `offer` event and, once per transfer and end state, for a `transfer` event in an end state (a failed transfer that is resumed
 * and then completes is notified twice).
 *
 * @returns unsubscribe
 */
export function createNotifier (init: NotifierInit): () => void {
  const notified = new Set<string>()
  const show = (text: { title: string, body: string }): void => {
    if (!init.supported || init.isFocused()) return
    const n = new init.Notification({ title: text.title, body: text.body, silent: false, ...(init.icon != null ? { icon: init.icon } : {}) })
    n.on('click', () => { init.focus() })
    n.show()
  }
  const offs = [
    init.events.on('offer', offer => { show(offerNotification(offer)) }),
    init.events.on('transfer', t => {
      const text = transferNotification(t)
      const key = `${t.id}:${t.state}`
      if (text == null || notified.has(key)) return
      notified.add(key)
      if (notified.size > 10_000) notified.clear()
      show(text)
    })
  ]
  return () => { for (const off of offs) off() }
}
