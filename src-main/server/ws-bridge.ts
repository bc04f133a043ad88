/**
 * The WebSocket bridge: one socket per open page, every call dispatched through the contract's `dispatch` (zod
 * validation), every contract event pushed to every socket. Wire format: see `index.ts`.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { RawData, WebSocket } from 'ws'
import { API_VERSION, dispatch, EVENT_NAMES } from '../api/index.ts'
import type { ApiErrorData, ApiHandlers } from '../api/index.ts'
import type { ServedApp } from './app-port.ts'
import { MAX_PENDING_CALLS, MAX_SOCKETS, MAX_WS_BUFFERED_BYTES, MAX_WS_PAYLOAD_BYTES } from './constants.ts'
import { UnsupportedCallError } from './errors.ts'
import type { UploadStore } from './uploads.ts'

/** Close code sent when the page was built for another contract version (the page must be reloaded). */
export const CLOSE_API_VERSION = 4001
/** Longest call ID accepted (a string ID; numbers are taken as they are). */
const MAX_ID_CHARS = 128

/** The handlers the socket dispatches to: the app's, with `sendLocalFiles` refused and `sendUpload` implemented here. */
export function bridgeHandlers (app: ServedApp, uploads: UploadStore): ApiHandlers {
  return {
    ...app.handlers,
    sendLocalFiles: async () => {
      throw new UnsupportedCallError('sendLocalFiles is not available in a browser (it has no file paths): upload the files and call sendUpload')
    },
    sendUpload: async (request, signal) => {
      const taken = uploads.handOver(request.uploadId)
      let result: Awaited<ReturnType<ServedApp['sendPrepared']>>
      try {
        result = await app.sendPrepared({ peerId: request.peerId, alsoTo: request.alsoTo, files: taken.files, cleanup: taken.cleanup, queue: request.queue }, signal)
      } catch (err) {
        taken.release()
        throw err
      }
      await taken.commit(result.transferId).catch(() => {}) // the marker only matters across restarts
      return result
    }
  }
}

function frameError (code: string, message: string): ApiErrorData {
  return { name: 'ApiError', code, message }
}

/** A running bridge: pass upgrades of `/api/ws` to `handleUpgrade` once they are authorized. */
export interface Bridge {
  handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void
  /** Closes every socket (1001) and aborts their running calls. */
  close: () => void
}

/** Starts a bridge over `handlers`, pushing `app`'s events. */
export function createBridge (app: ServedApp, handlers: ApiHandlers): Bridge {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES, clientTracking: true })
  const closing = new AbortController()

  const serve = (ws: WebSocket, url: URL): void => {
    const version = url.searchParams.get('apiVersion')
    if (version != null && version !== String(API_VERSION)) {
      ws.close(CLOSE_API_VERSION, 'api-version-mismatch')
      return
    }
    const calls = new Set<AbortController>()
    const send = (frame: unknown): void => {
      if (ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > MAX_WS_BUFFERED_BYTES) {
        ws.terminate() // a page that stopped reading; it reconnects and asks for a fresh snapshot
        return
      }
      ws.send(JSON.stringify(frame))
    }
    const unsubscribe = EVENT_NAMES.map(event => app.on(event, payload => send({ event, payload })))
    ws.on('message', (data: RawData, isBinary: boolean) => {
      let frame: unknown
      try {
        if (isBinary) throw new Error('binary')
        frame = JSON.parse(data.toString())
      } catch {
        send({ id: null, ok: false, error: frameError('invalid-frame', 'A frame must be JSON text: { id, call, request }') })
        return
      }
      const { id, call, request } = (typeof frame === 'object' && frame !== null && !Array.isArray(frame) ? frame : {}) as Record<string, unknown>
      const validId = (typeof id === 'string' && id.length <= MAX_ID_CHARS) || (typeof id === 'number' && Number.isFinite(id))
      if (!validId || typeof call !== 'string') {
        send({ id: validId ? id : null, ok: false, error: frameError('invalid-frame', 'A frame must be { id: string | number, call: string, request }') })
        return
      }
      if (calls.size >= MAX_PENDING_CALLS) {
        send({ id, ok: false, error: frameError('too-many-calls', `At most ${MAX_PENDING_CALLS} calls may run at once on one connection`) })
        return
      }
      const controller = new AbortController()
      calls.add(controller)
      void dispatch(handlers, call, request, AbortSignal.any([controller.signal, closing.signal]))
        .then(reply => send({ id, ...reply }))
        .finally(() => calls.delete(controller))
    })
    ws.on('error', () => {}) // e.g. a frame over maxPayload: ws closes the socket with 1009
    ws.on('close', () => {
      for (const off of unsubscribe) off()
      for (const c of calls) c.abort()
    })
  }

  return {
    handleUpgrade (req, socket, head, url) {
      if (wss.clients.size >= MAX_SOCKETS) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return
      }
      wss.handleUpgrade(req, socket, head, ws => serve(ws, url))
    },
    close () {
      closing.abort()
      for (const ws of wss.clients) ws.close(1001, 'server stopping')
      setTimeout(() => { for (const ws of wss.clients) ws.terminate() }, 1000).unref()
      wss.close()
    }
  }
}
