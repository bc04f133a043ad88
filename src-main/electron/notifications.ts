/**
 * Native notifications for incoming offers and for transfers that finished (completed, failed, declined), shown while
 * the window is not focused; clicking one brings the window forward. The texts are built here from the core's events;
 * peer-supplied text (names, file names) is stripped of control and bidi-override characters and shortened, and
 * notifications are plain text, never markup.
 */
import type { Notification, NotificationConstructorOptions } from 'electron'
import type { OfferView, TransferView } from '../api/index.ts'
import type { EventSource } from './ipc.ts'

/** Longest peer-supplied name shown in a notification, characters. */
const MAX_NAME = 48

/** Peer-supplied text made safe to show: no control or bidi-override characters, at most `max` characters. */
export function cleanText (text: string, max = MAX_NAME): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '').trim()
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}

/** Bytes for a person: `512 B`, `1.5 MB`, `2.3 GB` (powers of 1000, as file managers show them). */
export function humanBytes (bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++ }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** Title and body of the notification for an incoming offer. */
export function offerNotification (offer: OfferView): { title: string, body: string } {
  const who = cleanText(offer.contactName ?? offer.senderName ?? `peer-${offer.shortId}`)
  const count = offer.files.length
  const first = offer.files[0]
  const what = count === 1 && first != null ? cleanText(first.path.split('/').pop() ?? first.path, 64) : `${count} files`
  return {
    title: `${who} wants to send you ${what}`,
    body: `${humanBytes(offer.totalBytes)}${offer.isContact ? '' : ' · not in your contacts'} — open Ferry to accept or decline`
  }
}

/** Title and body for a transfer that reached an end state, or null for states that are not notified. */
export function transferNotification (t: TransferView): { title: string, body: string } | null {
  // A peer that is not a contact chose its name itself (it may be a contact's name): say so.
  const who = `${cleanText(t.peerName)}${t.isContact ? '' : ' (not a contact)'}`
  const size = humanBytes(t.totalBytes)
  const files = t.fileCount === 1 ? '1 file' : `${t.fileCount} files`
  switch (t.state) {
    case 'completed':
      return t.direction === 'receive'
        ? { title: `Received ${files} from ${who}`, body: `${size}, verified` }
        : { title: `Sent ${files} to ${who}`, body: `${size}, verified by ${who}` }
    case 'declined':
      return t.direction === 'send' ? { title: `${who} declined your files`, body: `${files}, ${size}` } : null
    case 'failed':
      return { title: `Transfer ${t.direction === 'send' ? 'to' : 'from'} ${who} failed`, body: cleanText(t.error?.message ?? 'Unknown error', 120) }
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
