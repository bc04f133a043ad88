/**
 * What the server needs of the app service (`src-main/app`, `App`): its handlers, its events, and a way to send files
 * that are already on disk. Declared structurally here so the server depends on these three members only.
 */
import type { ApiHandlers, EventName, Events } from '../api/index.ts'
import type { LocalFile } from '../core/transfer/index.ts'

/** A send of files the host already resolved (the headless server: an upload's files). */
export interface PreparedSend {
  peerId: string
  files: LocalFile[]
  /** Called by the app service once the files are no longer needed (the transfer ended for good). */
  cleanup: () => Promise<void>
}

/** The part of the app service's `App` the server uses. */
export interface ServedApp {
  handlers: ApiHandlers
  on: <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => () => void
  sendPrepared: (send: PreparedSend, signal: AbortSignal) => Promise<{ transferId: string }>
}
