/**
 * The colour theme: follow the system (`prefers-color-scheme`, followed live), or force light or dark. The choice is
 * kept in `localStorage`; the theme in effect is always set as `data-theme="light|dark"` on `<html>`, the one switch
 * the CSS custom properties in `app.css` read.
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

const systemDark = matchMedia('(prefers-color-scheme: dark)')
let current: ThemeChoice = 'system'

function render (): void {
  document.documentElement.dataset.theme = current === 'system' ? (systemDark.matches ? 'dark' : 'light') : current
}
systemDark.addEventListener('change', () => { if (current === 'system') render() })

/** Applies `choice` to the document (for `system`: the system's scheme now, and again whenever it changes). */
export function applyTheme (choice: ThemeChoice): void {
  current = choice
  render()
}

/** Stores and applies `choice`. */
export function saveTheme (choice: ThemeChoice): void {
  try { localStorage.setItem(KEY, choice) } catch { /* storage off: the choice lasts for this session */ }
  applyTheme(choice)
}
