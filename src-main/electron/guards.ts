/**
 * Navigation and window-opening guards for every webContents (Electron security checklist items 13–15): the page may
 * not navigate anywhere, may not open windows, may not attach `<webview>`s; an http(s) link the person clicks is
 * handed to the system browser after {@link externalUrl} accepted it, never loaded in the app.
 */
import type { WebContents } from 'electron'
import { externalUrl } from './security.ts'

/** The parts of `WebContents` the guards use. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>

/**
 * Installs the guards on `contents`.
 *
 * @param openExternal - `url => shell.openExternal(url)`; called only with a URL {@link externalUrl} returned
 */
export function hardenWebContents (contents: GuardedContents, openExternal: (url: string) => Promise<void>): void {
  const toBrowser = (raw: unknown): void => {
    const url = externalUrl(raw)
    if (url != null) openExternal(url).catch(() => {})
  }
  contents.on('will-navigate', event => {
    event.preventDefault()
    toBrowser(event.url)
  })
  contents.on('will-redirect', event => { event.preventDefault() })
  contents.on('will-attach-webview', event => { event.preventDefault() })
  contents.setWindowOpenHandler(({ url }) => {
    toBrowser(url)
    return { action: 'deny' }
  })
}
