/**
 * A duration in ms, rounded for reading: `350 ms`, `2.5 s`, `45 s`, `3 min 5 s`, `2 h 10 min` — never "0.0 s" for a
 * short one. One rule for the CLI and the page.
 */
export function formatDuration (ms: number): string {
  const t = Math.max(0, ms)
  if (t < 1000) return `${Math.round(t)} ms`
  if (t < 10_000) return `${(Math.round(t / 100) / 10).toFixed(1)} s`
  const s = Math.round(t / 1000)
  if (s < 60) return `${s} s`
  const min = Math.floor(s / 60)
  if (min < 60) return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`
  const h = Math.floor(min / 60)
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`
}
