/** Byte sizes on the bench's command lines. */
import { InvalidArgumentError } from 'commander'

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1000, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 }

/** Parses a size such as `1GiB`, `128MiB`, `4KiB`, `500MB` or `1048576` into bytes. */
export function parseSize (text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()]
  if (m == null || unit == null) throw new InvalidArgumentError(`"${text}" is not a size (e.g. 1GiB, 128MiB, 4KiB)`)
  return Math.round(Number(m[1]) * unit)
}
