/** Binary units, as Ferry shows every size and speed (the CLI, the page, notifications). */
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/**
 * A byte count for a person, with binary units and one decimal above bytes: `512 B`, `1.5 MiB`. One rule for every
 * place Ferry shows a size, so the terminal, the page and a notification give the same number.
 */
export function formatBytes (bytes: number): string {
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) { value /= 1024; unit++ }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`
}
