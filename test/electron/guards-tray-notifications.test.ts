/**
 * Invariant: the page can neither navigate nor open windows (an allowed http(s) link goes to the system browser, any
 * other URL goes nowhere); the tray shows reachability and the number of offers waiting, following the core's
 * events; notifications appear for offers and finished transfers only while the window is unfocused, once per
 * transfer and outcome, with peer-supplied text stripped of control and bidi characters, and clicking one focuses
 * the window.
 */
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import type { Menu, MenuItemConstructorOptions, NotificationConstructorOptions, WebContents } from 'electron'
import type { EventName, Events, OfferView, TransferView } from '../../src-main/api/index.ts'
import { hardenWebContents } from '../../src-main/electron/guards.ts'
import { createNotifier, offerNotification, transferNotification } from '../../src-main/electron/notifications.ts'
import { describeFailure } from '../../src-main/text/index.ts'
import { createTray, trayStatusText } from '../../src-main/electron/tray.ts'

function fakeEvents () {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  return {
    on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => {
      const set = listeners.get(event) ?? new Set()
      listeners.set(event, set)
      set.add(listener as (p: unknown) => void)
      return () => { set.delete(listener as (p: unknown) => void) }
    },
    emit: <E extends EventName>(event: E, payload: Events[E]) => { for (const l of listeners.get(event) ?? []) l(payload) },
    count: () => [...listeners.values()].reduce((n, s) => n + s.size, 0)
  }
}

const offer = (over: Partial<OfferView> = {}): OfferView => ({
  transferId: 't1', peerId: '12D3KooWabc', shortId: 'abc12345', senderName: 'Alice', isContact: true, contactName: 'Alice',
  files: [{ index: 0, path: 'photos/beach.jpg', size: 2_500_000 }], totalBytes: 2_500_000, receivedAt: 0, transport: 'webrtc', ...over
})
const transfer = (over: Partial<TransferView> = {}): TransferView => ({
  id: 't1', direction: 'receive', peerId: '12D3KooWabc', peerName: 'Alice', isContact: true, state: 'completed', totalBytes: 1_500_000,
  transferredBytes: 1_500_000, fileCount: 3, createdAt: 0, canShowInFolder: true, running: false, canResume: false, canCancel: false, ...over
})

describe('navigation guards', () => {
  it('denies navigation, redirects, webviews and new windows; only allowed links reach the system browser', async () => {
    const contents = new EventEmitter() as EventEmitter & { handler?: (d: { url: string }) => { action: string } }
    const fake = Object.assign(contents, { setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => { contents.handler = h } })
    const opened: string[] = []
    hardenWebContents(fake as unknown as WebContents, async url => { opened.push(url) })
    const attempt = (event: string, url: string): boolean => {
      let prevented = false
      contents.emit(event, { url, preventDefault: () => { prevented = true } }, url)
      return prevented
    }
    assert.equal(attempt('will-navigate', 'https://example.com/docs'), true)
    assert.equal(attempt('will-navigate', 'app://ferry/index.html'), true)
    assert.equal(attempt('will-navigate', 'file:///etc/passwd'), true)
    assert.equal(attempt('will-redirect', 'https://example.com/'), true)
    assert.equal(attempt('will-attach-webview', 'https://example.com/'), true)
    assert.deepEqual(contents.handler!({ url: 'https://github.com/ferry' }), { action: 'deny' })
    assert.deepEqual(contents.handler!({ url: 'javascript:alert(1)' }), { action: 'deny' })
    assert.deepEqual(contents.handler!({ url: 'smb://host/share' }), { action: 'deny' })
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(opened, ['https://example.com/docs', 'https://github.com/ferry'])
  })
})

describe('tray', () => {
  it('status text names reachability and waiting offers', () => {
    assert.equal(trayStatusText({ relayStatus: 'reserved', pendingOffers: new Set() }), 'Online via relay')
    assert.equal(trayStatusText({ relayStatus: 'reserved', pendingOffers: new Set(['a']) }), 'Online via relay · 1 offer waiting')
    assert.equal(trayStatusText({ relayStatus: 'unreachable', pendingOffers: new Set(['a', 'b']) }), 'Relay unreachable, retrying (LAN only) · 2 offers waiting')
  })

  it('follows identity and offer events, shows the window on click and on "Show Ferry", quits on "Quit Ferry"', () => {
    const events = fakeEvents()
    const tray = new EventEmitter() as EventEmitter & { tooltip?: string, menu?: MenuItemConstructorOptions[], destroyed?: boolean }
    const fakeTray = Object.assign(tray, {
      setToolTip: (t: string) => { tray.tooltip = t },
      setContextMenu: (m: unknown) => { tray.menu = m as MenuItemConstructorOptions[] },
      destroy: () => { tray.destroyed = true }
    })
    const actions: string[] = []
    const t = createTray({
      tray: fakeTray as never,
      buildMenu: template => template as unknown as Menu,
      events,
      show: () => { actions.push('show') },
      quit: () => { actions.push('quit') },
      initial: { relayStatus: 'connecting', offers: [{ transferId: 'old' }] }
    })
    assert.equal(tray.tooltip, 'Ferry — Connecting to relay… · 1 offer waiting')
    events.emit('identity', { relayStatus: 'reserved' } as Events['identity'])
    events.emit('offer', offer({ transferId: 'new' }))
    assert.equal(tray.tooltip, 'Ferry — Online via relay · 2 offers waiting')
    events.emit('offer-closed', { transferId: 'old' })
    events.emit('offer-closed', { transferId: 'new' })
    assert.equal(tray.tooltip, 'Ferry — Online via relay')
    assert.equal(tray.menu![0]!.label, 'Online via relay')
    tray.emit('click')
    const click = (label: string): void => { (tray.menu!.find(i => i.label === label)!.click as () => void)() }
    click('Show Ferry')
    click('Quit Ferry')
    assert.deepEqual(actions, ['show', 'show', 'quit'])
    t.destroy()
    assert.equal(events.count(), 0)
    assert.equal(tray.destroyed, true)
  })
})

describe('notifications', () => {
  it('peer-supplied text loses control and bidi-override characters and is shortened', () => {
    assert.equal(offerNotification(offer({ contactName: 'Al\u202eice\u0007\n' })).title, 'Alice wants to send you beach.jpg')
    assert.equal(offerNotification(offer({ contactName: 'x'.repeat(100) })).title.indexOf(' wants'), 48)
    assert.equal(offerNotification(offer({ contactName: undefined, isContact: false, senderName: 'Mallory\u202egpj.exe' })).title, 'Mallorygpj.exe wants to send you beach.jpg')
  })

  it('texts for offers and each end state', () => {
    assert.deepEqual(offerNotification(offer()), { title: 'Alice wants to send you beach.jpg', body: '2.4 MiB — open Ferry to accept or decline' })
    assert.match(offerNotification(offer({ isContact: false, contactName: undefined, files: [{ index: 0, path: 'a', size: 1 }, { index: 1, path: 'b', size: 1 }] })).body, /not in your contacts/)
    assert.deepEqual(transferNotification(transfer()), { title: 'Received 3 files from Alice', body: '1.4 MiB, verified' })
    assert.equal(transferNotification(transfer({ direction: 'send', state: 'declined' }))!.title, 'Alice declined your files')
    assert.equal(transferNotification(transfer({ state: 'failed', error: { code: 'write-failed', reason: 'disk-full', message: 'The disk is full' } }))!.body, 'The disk is full')
    const diskFull = describeFailure({ code: 'write-failed', reason: 'disk-full' }, { direction: 'receive' })
    assert.deepEqual(transferNotification(transfer({ state: 'interrupted', error: diskFull })), { title: 'Transfer from Alice stopped', body: diskFull.message }, 'a full disk stops a receive as interrupted, and says so')
    assert.equal(transferNotification(transfer({ state: 'interrupted', error: describeFailure({ code: 'paused' }, { direction: 'receive' }) })), null, 'a pause resumes by itself')
    assert.equal(transferNotification(transfer({ state: 'transferring' })), null)
    assert.equal(transferNotification(transfer({ state: 'declined' })), null, 'the receiver declined it themself')
    assert.equal(transferNotification(transfer({ isContact: false }))!.title, 'Received 3 files from Alice (not a contact)', 'a name a stranger chose is marked')
  })

  it('notifies only while unfocused, once per transfer and outcome; clicking focuses the window', () => {
    const events = fakeEvents()
    const shown: Array<NotificationConstructorOptions & { click: () => void }> = []
    class FakeNotification extends EventEmitter {
      options: NotificationConstructorOptions
      constructor (options: NotificationConstructorOptions) { super(); this.options = options }
      show (): void { shown.push({ ...this.options, click: () => { this.emit('click') } }) }
    }
    let focused = false
    let focusCalls = 0
    const stop = createNotifier({ Notification: FakeNotification as never, supported: true, events, isFocused: () => focused, focus: () => { focusCalls++ } })
    events.emit('offer', offer())
    events.emit('transfer', transfer({ state: 'transferring' }))
    events.emit('transfer', transfer())
    events.emit('transfer', transfer())
    assert.deepEqual(shown.map(n => n.title), ['Alice wants to send you beach.jpg', 'Received 3 files from Alice'])
    shown[0]!.click()
    assert.equal(focusCalls, 1)
    focused = true
    events.emit('offer', offer({ transferId: 't2' }))
    assert.equal(shown.length, 2)
    stop()
    focused = false
    events.emit('offer', offer({ transferId: 't3' }))
    assert.equal(shown.length, 2)
    assert.equal(events.count(), 0)
  })
})
