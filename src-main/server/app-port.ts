/**
 * What the server needs of the app service (`src-main/app`, `App`): its handlers, its events, and `sendPrepared` for
 * the files of an upload. Only these three members, so a test may hand the server a smaller stand-in.
 */
import type { App } from '../app/index.ts'

/** The part of the app service's `App` the server uses. */
export type ServedApp = Pick<App, 'handlers' | 'on' | 'sendPrepared'> & Partial<Pick<App, 'openReceived'>>
