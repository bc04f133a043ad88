/**
 * Entry of the core's `utilityProcess` (bundled to `dist/electron/core.js`): connects {@link runCore} to
 * `process.parentPort` and exits once the core stopped, so no native thread keeps the process alive.
 */
import { runCore } from './core-main.ts'

const parent = process.parentPort
runCore({
  post: message => { parent.postMessage(message) },
  onMessage: listener => {
    const onMessage = (event: Electron.MessageEvent): void => { listener(event.data) }
    parent.on('message', onMessage)
    return () => { parent.off('message', onMessage) }
  }
}).then(() => { process.exit(0) }, err => {
  console.error('Ferry core failed:', err)
  process.exit(1)
})
