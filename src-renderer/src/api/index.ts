/**
 * The renderer's one way to reach the core: `window.ferry` when the Electron preload exposed it, else the WebSocket
 * client of `ferry serve` (`connectWsClient()` in `./ws-client.ts`, which reads the access token from the page URL).
 * Everything else in the renderer talks to the {@link FerryApi} this returns.
 *
 * @example
 * ```ts
 * const api = await getApi()
 * const snapshot = await api.getSnapshot({})
 * const off = api.on('offer', o => console.log('offer from', o.shortId))
 * ```
 */
import type { FerryApi } from '../../../src-main/api/index.ts'
import { connectWsClient, type UploadProgress } from './ws-client.ts'

export type { UploadProgress }

export type {
  Capabilities, DeviceKind, FerryApi, FileView, IdentityView, Notice, OfferView, OutboxView, PeerView, PickedFile, RelayStatus, SettingsView,
  UpnpStatus, Snapshot, TransferStateView, TransferView, Events, EventName, SendStarted
} from '../../../src-main/api/index.ts'

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser. */
    ferry?: FerryApi
  }
}

/**
 * The API as the page uses it: the contract's, plus upload progress where files are uploaded before they are sent
 * (the browser client of `ferry serve`; the Electron preload has no upload step).
 */
export type PageApi = FerryApi & {
  onUploadProgress?: (listener: (progress: UploadProgress) => void) => () => void
}

/**
 * The API of this host.
 *
 * @throws {ApiError} (rejects) without the preload, when the WebSocket client cannot connect: `connection-failed` (no
 *   or wrong token, server gone), `api-version-mismatch`
 */
export async function getApi (): Promise<PageApi> {
  if (window.ferry != null) return window.ferry
  return await connectWsClient()
}
