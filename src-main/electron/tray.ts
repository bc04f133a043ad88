/**
 * The tray icon: whether this peer is reachable (relay reservation), how many incoming offers wait for an answer, and
 * "Show Ferry" / "Quit". The state is followed from the core's events; the Electron classes are injected, so the
 * logic is tested in Node.
 */
import type { Menu, MenuItemConstructorOptions, Tray } from 'electron'
import type { EventSource } from './ipc.ts'
import type { RelayStatus } from '../api/index.ts'
import { t } from '../text/index.ts'
import type { MessageKey } from '../text/index.ts'

/** What the tray shows. */
export interface TrayState {
  relayStatus: RelayStatus
  /** Transfer IDs of incoming offers awaiting an answer. */
  pendingOffers: ReadonlySet<string>
}

/** The tray's status line, e.g. `Online via relay · 2 offers waiting`. */
export function trayStatusText (state: TrayState): string {
  const key = ({
    reserved: 'tray.reserved',
    connecting: 'tray.connecting',
    offline: 'tray.offline',
    unreachable: 'tray.unreachable',
    none: 'tray.none'
  } as const satisfies Record<RelayStatus, MessageKey>)[state.relayStatus] as MessageKey | undefined
  const status = t(key ?? 'tray.starting')
  const n = state.pendingOffers.size
  return n === 0 ? status : t('tray.withOffers', { status, count: n })
}

/** The tray's menu template. */
export function trayMenuTemplate (state: TrayState, actions: { show: () => void, quit: () => void }): MenuItemConstructorOptions[] {
  return [
    { label: trayStatusText(state), enabled: false },
    { type: 'separator' },
    { label: t('tray.show'), click: actions.show },
    { label: t('tray.quit'), click: actions.quit }
  ]
}

/** Options of {@link createTray}. */
export interface TrayInit {
  tray: Pick<Tray, 'setToolTip' | 'setContextMenu' | 'on' | 'destroy'>
  buildMenu: (template: MenuItemConstructorOptions[]) => Menu
  events: EventSource
  show: () => void
  quit: () => void
  /** Initial relay status and pending offers (from `getSnapshot`), when known. */
  initial?: { relayStatus: RelayStatus, offers: ReadonlyArray<{ transferId: string }> }
}

/**
 * Keeps `tray`'s tooltip and menu in step with the core's `identity`, `offer`, `offer-closed` and `settings` (the language) events; clicking the
 * icon shows the window.
 *
 * @returns the current state (for tests) and `destroy`, which unsubscribes and removes the icon
 */
export function createTray (init: TrayInit): { state: () => TrayState, destroy: () => void } {
  let relayStatus: RelayStatus = init.initial?.relayStatus ?? 'connecting'
  const pending = new Set(init.initial?.offers.map(o => o.transferId) ?? [])
  const render = (): void => {
    const state = { relayStatus, pendingOffers: pending }
    init.tray.setToolTip(t('tray.tooltip', { status: trayStatusText(state) }))
    init.tray.setContextMenu(init.buildMenu(trayMenuTemplate(state, { show: init.show, quit: init.quit })))
  }
  const offs = [
    init.events.on('identity', identity => { relayStatus = identity.relayStatus; render() }),
    init.events.on('offer', offer => { pending.add(offer.transferId); render() }),
    init.events.on('offer-closed', closed => { pending.delete(closed.transferId); render() }),
    // A settings change may be a new language (main.ts sets it on the same event, before this listener).
    init.events.on('settings', () => { render() })
  ]
  init.tray.on('click', init.show)
  render()
  return {
    state: () => ({ relayStatus, pendingOffers: new Set(pending) }),
    destroy: () => {
      for (const off of offs) off()
      init.tray.destroy()
    }
  }
}
