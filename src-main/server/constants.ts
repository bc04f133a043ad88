/**
 * Limits of the headless server. Each is Ferry's own choice unless a source is named; every one can be lowered by a
 * test through `startServer({ limits })`.
 */
import { MAX_SEND_FILES } from '../api/index.ts'
import { MAX_PATH_BYTES } from '../core/paths/index.ts'

/** Bytes of the random access token (hex in the URL: twice as many characters). 256 bits, like a session key. */
export const TOKEN_BYTES = 32

/**
 * Largest WebSocket message accepted, bytes (`ws` `maxPayload`; a bigger frame closes the socket with 1009). The
 * largest valid request is `updateSettings` with 8 relays of 1024 characters, or an invite of 4096 characters.
 */
export const MAX_WS_PAYLOAD_BYTES = 64 * 1024

/** Calls one socket may have running at once; more are answered `too-many-calls` without running. */
export const MAX_PENDING_CALLS = 32

/** Open WebSocket connections at once (one per open tab is the normal case). */
export const MAX_SOCKETS = 16

/**
 * Bytes queued to a socket that does not read; past this the socket is closed (1013) instead of buffering without
 * bound. The page reconnects and asks for a fresh snapshot.
 */
export const MAX_WS_BUFFERED_BYTES = 16 * 1024 * 1024

/** Limits of the upload endpoint. */
export interface UploadLimits {
  /** Files one upload may hold (the contract's `MAX_SEND_FILES`). */
  maxFiles: number
  /** Longest relative path of an uploaded file, UTF-8 bytes (the path-safety module's `MAX_PATH_BYTES`). */
  maxPathBytes: number
  /** Uploads that may be open (created, not yet handed to a transfer) at once. */
  maxOpenUploads: number
  /** An open upload with no request for this long is abandoned and removed, ms. */
  idleMs: number
  /** How often abandoned uploads are looked for, ms. */
  sweepIntervalMs: number
  /**
   * An upload handed to a transfer whose `.sent` marker is older than this at start is removed: a backstop for a
   * transfer the app service no longer follows after a restart, ms.
   */
  keepSentMs: number
}

/** The default upload limits. */
export const UPLOAD_LIMITS: Readonly<UploadLimits> = {
  maxFiles: MAX_SEND_FILES,
  maxPathBytes: MAX_PATH_BYTES,
  maxOpenUploads: 32,
  idleMs: 30 * 60_000,
  sweepIntervalMs: 60_000,
  keepSentMs: 7 * 24 * 3_600_000
}

/** Folder under the data directory that holds uploads: `<dataDir>/uploads/<uploadId>/<relative path>`. */
export const UPLOADS_FOLDER = 'uploads'
