/**
 * The colour theme: follow the system (`prefers-color-scheme`), or force light or dark. The choice is kept in
 * `localStorage` and applied as `data-theme` on `<html>`, which the CSS custom properties in `app.css` read.
 *
 * @example
 * ```ts
 * applyTheme(loadTheme()) // at start
 * saveTheme('dark')       // from Settings
 * ```
 */

export type ThemeChoice = 'system' | 'light' | 'dark'

const KEY = 'ferry.theme'

/** The stored choice, `system` when none (or storage is unavailable). */
export function loadTheme (): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY)
    return v === 'light' || v === 'dark' ? v : 'system'
  } catch {
    return 'system'
  }
}

/** Applies `choice` to the document. */
export function applyTheme (choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme
  else document.documentElement.dataset.theme = choice
}

/** Stores and applies `choice`. */
export function saveTheme (choice: ThemeChoice): void {
  try { localStorage.setItem(KEY, choice) } catch { /* storage off: the choice lasts for this session */ }
  applyTheme(choice)
}
