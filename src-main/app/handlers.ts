/**
 * The contract's handlers ({@link ApiHandlers}) on an {@link AppState}: each takes a request already validated by
 * `dispatch` (zod) and throws {@link ApiError}s with a stable code and a message for a person.
 */
import { mkdir } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { ApiError } from '../api/index.ts'
import type { ApiHandlers, Requests, SettingsView, Snapshot } from '../api/index.ts'
import { parseRelays } from '../core/index.ts'
import type { AppState } from './app.ts'
import { checkedName } from './contact-book.ts'
import { addContact, addNearby, getFingerprint, removeContact, updateContact } from './contacts.ts'
import { toApiError } from './errors.ts'
import { validateLocalFiles } from './send.ts'
import { persistSettings, uploadBytesPerSecond } from './settings.ts'
import { receivedPathToOpen } from './received-files.ts'
import { diagnosticsOf } from './diagnostics.ts'
import { checkAppNetwork } from './network.ts'
import { t } from '../text/index.ts'
import type { MessageKey } from '../text/index.ts'

/** Transfers in the snapshot: the running ones and the newest finished ones, this many in all at most. */
export const SNAPSHOT_TRANSFERS = 50

/** `unsupported`, in the words of `key` (what only the desktop app does). */
function unsupported (key: MessageKey): ApiError {
  return new ApiError('unsupported', t(key))
}

/**
 * The contact a `queue: true` send request is queued for (a queued send has one recipient).
 * @throws {ApiError} `invalid-request` with `alsoTo`; the errors of `Sends.recipient`
 */
export function queuedRecipient (app: AppState, req: { peerId: string, alsoTo?: readonly string[] }): string {
  if (req.alsoTo != null && req.alsoTo.length > 0) throw new ApiError('invalid-request', t('app.outbox.oneRecipient'))
  return app.sends.recipient(req.peerId, { peerIdOnly: true }).peerId
}

/** The absolute path `showInFolder` reveals, from the store only (never from the request). */
function folderPathOf (app: AppState, req: Requests['showInFolder']): string {
  const store = app.peer.store
  const record = store.transfers.get(req.transferId)
  if (record == null || record.direction !== 'receive' || record.state !== 'completed' || record.destDir == null) {
    throw new ApiError('not-available', t('app.notACompletedReceive'))
  }
  const files = store.transfers.files(req.transferId)
  if (req.fileIndex != null) {
    const path = files[req.fileIndex]?.localPath
    if (path == null) throw new ApiError('not-available', t('app.noSuchFile'))
    return path
  }
  const first = files[0]
  if (first == null) return record.destDir
  // A folder sent with its structure: its top folder; single files: the first file (shown selected in its folder).
  const top = first.relPath.split('/')[0] ?? ''
  return first.relPath.includes('/') ? join(record.destDir, top) : first.localPath ?? record.destDir
}

/**
 * Applies a settings change: stored at once; a display name or kind of device applies to the next offers and the invite; the
 * contacts-only switch to the next offer; check-for-updates reaches the host through the `settings` event; relays
 * and port mapping (`upnp`) restart the peer when nothing runs, else at the next start (a `notice` says so).
 */
async function updateSettings (app: AppState, req: Requests['updateSettings']): Promise<SettingsView> {
  const patch: Partial<SettingsView> = {}
  if (req.displayName != null) {
    try {
      patch.displayName = checkedName(req.displayName)
    } catch (err) {
      throw toApiError(err)
    }
    patch.displayNameIsDefault = false
  }
  if (req.deviceKind != null) patch.deviceKind = req.deviceKind
  if (req.relays != null) {
    try {
      patch.relays = parseRelays(req.relays)
    } catch (err) {
      throw toApiError(err)
    }
  }
  if (req.contactsOnly != null) patch.contactsOnly = req.contactsOnly
  if (req.relayForContacts != null) patch.relayForContacts = req.relayForContacts
  if (req.checkForUpdates != null) patch.checkForUpdates = req.checkForUpdates
  if (req.upnp != null) patch.upnp = req.upnp
  if (req.language != null) patch.language = req.language
  if (req.uploadLimit != null) patch.uploadLimit = req.uploadLimit
  persistSettings(app.peer.store.settings, patch)
  // Port mapping and the relay for contacts are libp2p services: switching one takes a restart of the peer, as new
  // relays do.
  const relaysChanged = (patch.relays != null && JSON.stringify(patch.relays) !== JSON.stringify(app.activeRelays)) ||
    (patch.upnp != null && app.wantsPortMapping(patch.upnp) !== app.activePortMapping) ||
    (patch.relayForContacts != null && patch.relayForContacts !== app.activeRelayForContacts)
  app.settings = { ...app.settings, ...patch }
  if (patch.language != null) app.applyLanguage()
  if (patch.displayName != null) {
    app.peer.transfers.setDisplayName(patch.displayName)
    app.identity.setDisplayName(patch.displayName)
  }
  if (patch.uploadLimit != null) app.peer.transfers.setUploadLimit(uploadBytesPerSecond(patch.uploadLimit))
  if (patch.deviceKind != null) {
    app.peer.transfers.setDeviceKind(patch.deviceKind)
    app.identity.setDeviceKind(patch.deviceKind)
  }
  app.bus.emit('settings', app.settings)
  if (relaysChanged) {
    if (app.busy) {
      app.bus.emit('notice', { level: 'info', code: 'relays-pending', message: t('app.relaysPending') })
    } else {
      await app.restart()
    }
  }
  return app.settings
}

/** Builds the handlers of every contract call on `app`. */
export function createHandlers (app: AppState): ApiHandlers {
  const host = app.init.host
  return {
    getSnapshot: async (): Promise<Snapshot> => ({
      capabilities: {
        host: host?.kind ?? 'headless',
        showInFolder: host?.showInFolder != null,
        openFile: host?.openPath != null,
        download: host?.servesDownloads === true,
        chooseDownloadDir: host?.chooseDownloadDir != null,
        checkForUpdates: host?.checksForUpdates === true
      },
      identity: await app.identity.view(),
      settings: app.settings,
      peers: app.peers.list(),
      offers: app.offers.list(),
      transfers: app.views.list({ limit: SNAPSHOT_TRANSFERS }),
      outbox: app.outbox.list()
    }),
    listHistory: async (req) => app.views.list(req),
    getTransfer: async (req) => {
      const view = app.views.get(req.transferId)
      if (view == null) throw new ApiError('not-found', t('app.noSuchTransfer'))
      return view
    },
    addContact: async (req) => addContact(app, req),
    addNearby: async (req) => addNearby(app, req),
    updateContact: async (req) => updateContact(app, req),
    removeContact: async (req) => removeContact(app, req),
    getFingerprint: async (req) => getFingerprint(app, req),
    answerOffer: async (req) => {
      if (!app.offers.answer(req.transferId, req.accept, req.files)) throw new ApiError('unknown-offer', t('app.offerGone'))
      if (req.accept) app.views.patch(req.transferId, { state: 'accepted' })
      return { ok: true }
    },
    cancelTransfer: async (req) => {
      const id = req.transferId
      const done = app.offers.answer(id, false) || app.outbox.cancel(id) || app.sends.cancel(id) || app.peer.transfers.cancel(id)
      if (!done) throw new ApiError('not-running', t('app.notRunning'))
      return { ok: true }
    },
    resumeTransfer: async (req) => app.sends.resume(req.transferId),
    sendAgain: async (req, signal) => app.sends.sendAgain(req.transferId, signal),
    showInFolder: async (req) => {
      if (host?.showInFolder == null) throw unsupported('app.showInFolderDesktopOnly')
      await host.showInFolder(folderPathOf(app, req))
      return { ok: true }
    },
    openFile: async (req) => {
      if (host?.openPath == null) throw unsupported('app.openDesktopOnly')
      await host.openPath(await receivedPathToOpen(app.peer.store, req.transferId, req.fileIndex))
      return { ok: true }
    },
    updateSettings: async (req) => updateSettings(app, req),
    chooseDownloadDir: async (_req, signal) => {
      if (host?.chooseDownloadDir == null) throw unsupported('app.chooseFolderDesktopOnly')
      const dir = await host.chooseDownloadDir(signal)
      if (dir == null) return app.settings
      if (!isAbsolute(dir)) throw new ApiError('invalid-path', t('app.folderNotAbsolute'))
      await mkdir(dir, { recursive: true }).catch((err: unknown) => { throw new ApiError('invalid-path', t('app.folderUnusable', { reason: (err as Error).message })) })
      persistSettings(app.peer.store.settings, { downloadDir: dir })
      app.peer.transfers.setDownloadDir(dir)
      app.settings = { ...app.settings, downloadDir: dir }
      app.bus.emit('settings', app.settings)
      return app.settings
    },
    getDiagnostics: async () => ({ text: diagnosticsOf(app) }),
    checkNetwork: async (_req, signal) => checkAppNetwork(app, signal),
    sendText: async (req, signal) => {
      if (req.queue === true) return app.outbox.queue(queuedRecipient(app, req), { text: req.text }, undefined, signal)
      return req.alsoTo == null ? app.sends.startText(req.peerId, req.text) : app.sends.startTextMany([req.peerId, ...req.alsoTo], req.text)
    },
    sendLocalFiles: async (req, signal) => {
      const files = await validateLocalFiles(req.files, signal)
      if (req.queue === true) return app.outbox.queue(queuedRecipient(app, req), { files }, undefined, signal)
      return req.alsoTo == null ? app.sends.start(req.peerId, files) : app.sends.startMany([req.peerId, ...req.alsoTo], files)
    },
    listOutbox: async () => app.outbox.list(),
    cancelOutbox: async (req) => ({ cancelled: app.outbox.cancel(req.id) }),
    sendUpload: async () => { throw new ApiError('unsupported', 'Uploads are sent by the headless server (it replaces this handler with app.sendPrepared)') }
  }
}
