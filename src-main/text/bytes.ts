import { formatNumber } from './i18n.ts'

/** Binary units, as Ferry shows every size and speed (the CLI, the page, notifications), in every language. */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/**
 * A byte count for a person, with binary units and one decimal above bytes: `512 B`, `1.5 MiB`. One rule for every
 * place Ferry shows a size, so the terminal, the page and a notification give the same number. The number is written
 * by `Intl.NumberFormat` for the language in effect (./i18n.ts: its decimal sign), without grouping (below 1024).
 */
export function formatBytes (bytes: number): string {
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) { value /= 1024; unit++ }
  const digits = unit === 0 ? 0 : 1
  // Rounded first, as `toFixed` did: 1023.96 KiB reads `1024.0 KiB`, never a grouped `1,024.0`.
  return `${formatNumber(Number(value.toFixed(digits)), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false })} ${UNITS[unit]}`
}
