/**
 * The views of the window, in sidebar order: the one list the sidebar (label, icon) and the page (component) are
 * drawn from, so a new view is one entry here (and its component).
 */
import type { Component } from 'svelte'
import type { MessageKey } from '../../../src-main/text/index.ts'
import type { IconName } from './components/Icon.svelte'
import HistoryView from './components/HistoryView.svelte'
import MyIdView from './components/MyIdView.svelte'
import PeersView from './components/PeersView.svelte'
import SettingsView from './components/SettingsView.svelte'
import TransfersView from './components/TransfersView.svelte'

/** One view: its name (`ferry.view`), its sidebar label's catalog key (its accessible name) and icon, and its component. */
export interface ViewEntry {
  name: string
  label: MessageKey
  icon: IconName
  component: Component
}

/** Every view. The first is shown at start. */
export const VIEWS = [
  { name: 'peers', label: 'view.peers', icon: 'peers', component: PeersView },
  { name: 'transfers', label: 'view.transfers', icon: 'transfers', component: TransfersView },
  { name: 'history', label: 'view.history', icon: 'history', component: HistoryView },
  { name: 'settings', label: 'view.settings', icon: 'settings', component: SettingsView },
  { name: 'myid', label: 'view.myid', icon: 'id', component: MyIdView }
] as const satisfies readonly ViewEntry[]

/** The name of a view. */
export type ViewName = (typeof VIEWS)[number]['name']

/** The entry of view `name` (the first view for an unknown name). */
export function viewOf (name: string): (typeof VIEWS)[number] {
  return VIEWS.find(v => v.name === name) ?? VIEWS[0]
}
