/**
 * Reads a QR code from an image file (a photo or screenshot of someone's Ferry QR code), entirely in the page, with
 * the `jsqr` library. Works for PNG, JPEG, WebP, GIF and SVG (anything an `<img>` can show).
 *
 * @example
 * ```ts
 * const text = await decodeQrImage(file) // 'ferry:12D3KooW…?name=Alice' or null when no QR code was found
 * ```
 */
import jsQR from 'jsqr'
import { t } from './i18n.ts'

/** Longest side the image is scaled to before decoding, pixels (phone photos are large; QR codes are not). */
const MAX_SIDE = 1600
/** Small images (an SVG's nominal size) are scaled up to at least this, pixels. */
const MIN_SIDE = 600

/**
 * The text of the first QR code found in `file`, or `null` when there is none.
 *
 * @throws {Error} (rejects) when the file is not an image the browser can decode
 */
export async function decodeQrImage (file: Blob): Promise<string | null> {
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.src = url
    try {
      await img.decode()
    } catch {
      throw new Error(t('qr.notImage'))
    }
    const w0 = img.naturalWidth || MIN_SIDE
    const h0 = img.naturalHeight || MIN_SIDE
    const longest = Math.max(w0, h0)
    const scale = longest > MAX_SIDE ? MAX_SIDE / longest : longest < MIN_SIDE ? MIN_SIDE / longest : 1
    const w = Math.max(1, Math.round(w0 * scale))
    const h = Math.max(1, Math.round(h0 * scale))
    const canvas = document.createElement('canvas')
    canvas.width = w
    canvas.height = h
    const ctx = canvas.getContext('2d', { willReadFrequently: true })
    if (ctx == null) throw new Error(t('qr.cannotRead'))
    ctx.fillStyle = '#fff' // transparent SVG backgrounds read as black otherwise
    ctx.fillRect(0, 0, w, h)
    ctx.drawImage(img, 0, 0, w, h)
    const data = ctx.getImageData(0, 0, w, h)
    const code = jsQR(data.data, w, h, { inversionAttempts: 'attemptBoth' })
    return code?.data != null && code.data !== '' ? code.data : null
  } finally {
    URL.revokeObjectURL(url)
  }
}
