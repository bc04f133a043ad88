/**
 * Errors of the headless server. Each carries the HTTP status it is answered with; over the WebSocket only the
 * `{ name, code, message }` data crosses (contract `ApiErrorData`).
 */
import { FerryError } from '../core/errors/index.ts'

/** A request refused by the server (authentication, origin, host, routing). */
export class ServerRequestError extends FerryError {
  static override name = 'ServerRequestError'
  /** HTTP status code, e.g. 401, 403, 404. */
  readonly status: number
  constructor (status: number, code: string, message: string) {
    super(code, message)
    this.status = status
  }
}

/**
 * An upload refused or failed. Codes: `upload-not-found`, `too-many-uploads`, `too-many-files`, `path-too-long`,
 * `path-taken`, `size-mismatch`, `invalid-size`, `upload-busy`, `upload-empty`, `upload-closed`, `disk-full`,
 * `write-failed`.
 */
export class UploadError extends FerryError {
  static override name = 'UploadError'
  readonly status: number
  constructor (status: number, code: string, message: string, options?: ErrorOptions) {
    super(code, message, options)
    this.status = status
  }
}

/** A call the WebSocket transport does not offer (`sendLocalFiles`: a browser has no paths). Code `unsupported`. */
export class UnsupportedCallError extends FerryError {
  static override name = 'UnsupportedCallError'
  constructor (message: string) {
    super('unsupported', message)
  }
}

/** The built renderer is missing: `ferry serve` needs `npm run build` first. Code `renderer-not-built`. */
export class RendererMissingError extends FerryError {
  static override name = 'RendererMissingError'
  constructor (staticDir: string) {
    super('renderer-not-built', `The web UI is not built (no ${staticDir}/index.html). Run \`npm run build\` first.`)
  }
}
