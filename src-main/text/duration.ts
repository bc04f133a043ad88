import { formatNumber, t } from './i18n.ts'

/**
 * A duration in ms, rounded for reading: `350 ms`, `2.5 s`, `45 s`, `3 min 5 s`, `2 h 10 min` — never "0.0 s" for a
 * short one. One rule for the CLI and the page; the words are the catalog's `duration.*` (`2 分 10 秒` in Chinese),
 * the numbers written by `Intl.NumberFormat` for the language in effect (./i18n.ts).
 */
export function formatDuration (ms: number): string {
  const n = (v: number, digits = 0): string => formatNumber(v, { minimumFractionDigits: digits, maximumFractionDigits: digits })
  const tm = Math.max(0, ms)
  if (tm < 1000) return t('duration.ms', { n: n(Math.round(tm)) })
  if (tm < 10_000) return t('duration.s', { n: n(Math.round(tm / 100) / 10, 1) })
  const s = Math.round(tm / 1000)
  if (s < 60) return t('duration.s', { n: n(s) })
  const min = Math.floor(s / 60)
  if (min < 60) return s % 60 === 0 ? t('duration.min', { min: n(min) }) : t('duration.minS', { min: n(min), s: n(s % 60) })
  const h = Math.floor(min / 60)
  return min % 60 === 0 ? t('duration.h', { h: n(h) }) : t('duration.hMin', { h: n(h), min: n(min % 60) })
}
