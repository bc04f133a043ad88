/**
 * Bundles the Electron shell to `dist/electron/` (Electron's main process does not strip TypeScript, and a sandboxed
 * preload must be one CommonJS file):
 *
 * - default mode → `main.js` (main process) and `core.js` (the core's utilityProcess), ES modules for Electron's
 *   Node; `electron`, Node built-ins and every runtime dependency in package.json stay external (they are loaded
 *   from `node_modules`, native ones — better-sqlite3, node-datachannel — from outside the asar).
 * - `--mode preload` → `preload.cjs`: CommonJS, everything but `electron` inlined (the sandbox offers no `require`
 *   of packages).
 *
 * Build: `vite build -c src-main/electron/vite.config.ts && vite build -c src-main/electron/vite.config.ts --mode preload`
 * (`FERRY_ELECTRON_OUT_DIR` builds elsewhere; the tests use it).
 */
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const pkg = JSON.parse(readFileSync(here('../../package.json'), 'utf8')) as { dependencies?: Record<string, string> }
const runtimeDeps = Object.keys(pkg.dependencies ?? {})
const builtins = new Set([...builtinModules, ...builtinModules.map(m => `node:${m}`)])

/** True for imports loaded at run time instead of bundled. */
function isExternal (id: string, preload: boolean): boolean {
  if (id === 'electron' || id.startsWith('electron/')) return true
  if (preload) return false
  return builtins.has(id) || id.startsWith('node:') || runtimeDeps.some(dep => id === dep || id.startsWith(`${dep}/`))
}

export default defineConfig(({ mode }) => {
  const preload = mode === 'preload'
  return {
    publicDir: false,
    logLevel: 'warn',
    build: {
      ssr: true,
      outDir: process.env.FERRY_ELECTRON_OUT_DIR ?? here('../../dist/electron'),
      emptyOutDir: !preload,
      target: 'node22',
      minify: false,
      sourcemap: true,
      reportCompressedSize: false,
      rolldownOptions: {
        input: (preload
          ? { preload: here('./preload.ts') }
          : { main: here('./main.ts'), core: here('./core-process.ts') }) as Record<string, string>,
        external: (id: string) => isExternal(id, preload),
        output: preload
          ? { format: 'cjs' as const, entryFileNames: '[name].cjs', codeSplitting: false }
          : { format: 'es' as const, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' }
      }
    },
    ssr: { noExternal: preload ? true : undefined, target: 'node' as const }
  }
})
