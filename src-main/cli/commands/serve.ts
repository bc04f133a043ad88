import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startApp } from '../../app/index.ts'
import { ConfigError, parseRelays } from '../../core/index.ts'
import { checkStaticDir, loadSession, saveSession, startServer } from '../../server/index.ts'
import { dataDirOf, environment, interruptSignal, mdnsOf, networkOf, upnpOf } from '../options.ts'
import type { PeerOptions } from '../options.ts'
import type { Output } from '../output.ts'
import { t } from '../../text/index.ts'

/** The built renderer `ferry serve` serves (`npm run build` writes it). */
export const RENDERER_DIR = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url))

/** Options of `ferry serve`. */
export interface ServeOptions extends PeerOptions {
  /** TCP port on 127.0.0.1 (default 0: a free one). */
  port?: string
  /** Download folder (default: the stored setting, else ~/Downloads). */
  out?: string
  /** `--no-mdns` gives false. */
  mdns?: boolean
  /** `--no-upnp` gives false: no router port mapping whatever the setting. */
  upnp?: boolean
  /** Make a new access token (tabs opened with the old one are refused from then on). */
  newToken?: boolean
}

function parsePort (text: string | undefined): number | undefined {
  if (text == null) return undefined
  const port = Number(text)
  if (!/^\d{1,5}$/u.test(text) || port > 65535) throw new ConfigError(t('cli.serve.badPort', { value: text }))
  return port
}

/**
 * `ferry serve`: the app without Electron. Starts the app service (host `headless`) and the headless server on
 * 127.0.0.1, prints the URL to open (it carries the access token), and runs until Ctrl+C or SIGTERM, then stops the
 * server and the app and returns 0.
 *
 * @throws {RendererMissingError} `renderer-not-built` when `dist/renderer/` was not built (`npm run build`)
 * @throws {ConfigError} `invalid-config` for a malformed `--port`
 */
export async function serveCommand (options: ServeOptions, out: Output): Promise<number> {
  const signal = interruptSignal()
  const port = parsePort(options.port)
  await checkStaticDir(RENDERER_DIR)
  const dataDir = dataDirOf(options)
  const network = networkOf(options)
  const mdns = mdnsOf(options.mdns)
  const app = await startApp({
    dataDir,
    downloadDir: options.out == null ? undefined : resolve(options.out),
    // Flags or FERRY_RELAYS win for this run; otherwise the stored setting, else the defaults (the app service).
    relays: options.relay != null && options.relay.length > 0 ? network.relays : environment.relays == null ? undefined : parseRelays(environment.relays),
    iceServers: network.iceServers,
    listen: options.listen,
    mdns,
    upnp: upnpOf(options.upnp),
    host: { kind: 'headless', servesDownloads: true }
  }, signal)
  try {
    // The token and port of the last run (serve-session.json): open tabs reconnect after a restart.
    const session = await loadSession(dataDir, { renew: options.newToken === true })
    const server = await startServer({ app, staticDir: RENDERER_DIR, dataDir, port: port ?? session.port, token: session.token, signal })
      .catch(async (err: unknown) => {
        // The stored port is taken now (and none was asked for): any free one.
        if (port != null || session.port === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
        return await startServer({ app, staticDir: RENDERER_DIR, dataDir, port: 0, token: session.token, signal })
      })
    await saveSession(dataDir, { token: server.token, port: server.port })
    try {
      const offNotice = app.on('notice', n => out.event({ event: 'notice', level: n.level, code: n.code, message: n.message }, `[${n.level}] ${n.message}`))
      const settings = (await app.handlers.getSnapshot({}, signal)).settings
      out.event({ event: 'ready', url: server.url, port: server.port, peerId: app.peer.peerId, dataDir, downloadDir: settings.downloadDir },
        t('cli.serve.ready', { url: server.url, peerId: app.peer.peerId }))
      if (!signal.aborted) await new Promise<void>(resolveDone => signal.addEventListener('abort', () => resolveDone(), { once: true }))
      offNotice()
      out.event({ event: 'stopping' }, t('cli.serve.stopping'))
    } finally {
      await server.close()
    }
  } finally {
    await app.stop()
  }
  return 0
}
