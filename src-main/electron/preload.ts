/**
 * The preload of Ferry's window (sandboxed, context-isolated; bundled to `dist/electron/preload.cjs`, a single
 * CommonJS file, because a sandboxed preload can `require` only `electron` and a few Node built-ins).
 *
 * It exposes exactly one thing, `window.ferry` ({@link createPreloadApi}); `ipcRenderer` itself never reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { createPreloadApi } from './preload-api.ts'

const api = createPreloadApi({
  invoke: async (channel, request) => await ipcRenderer.invoke(channel, request),
  on: (channel, listener) => { ipcRenderer.on(channel, listener) },
  removeListener: (channel, listener) => { ipcRenderer.removeListener(channel, listener) },
  getPathForFile: file => webUtils.getPathForFile(file)
})

contextBridge.exposeInMainWorld('ferry', api)
