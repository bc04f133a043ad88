/**
 * Vite build of the Svelte renderer: root `src-renderer/`, output `dist/renderer/` with relative asset paths
 * (`base: './'`) so both `app://ferry/` (Electron) and `http://127.0.0.1:PORT/` (`ferry serve`) can serve it.
 * Only `index.html` is an entry: the dev-only mock under `dev/` never reaches the build.
 *
 * Build: `node_modules/.bin/vite build --config src-renderer/vite.config.ts` (`npm run build`).
 */
import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: fileURLToPath(new URL('./index.html', import.meta.url)) }
  },
  server: { host: '127.0.0.1', strictPort: false }
})
