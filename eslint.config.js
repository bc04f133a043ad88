// ESLint flat config: the recommended JavaScript, TypeScript and Svelte rules for the whole repository, the layout
// (ESLint Stylistic: `npm run format` rewrites it, `npm run lint` fails on any difference), and the layer rules of
// docs/ARCHITECTURE.md ("Rules that must never break"), each as a `no-restricted-imports` entry.
import js from '@eslint/js'
import stylistic from '@stylistic/eslint-plugin'
import svelte from 'eslint-plugin-svelte'
import tseslint from 'typescript-eslint'

/** The folders of `src-main/` that host the core (they may import it; it never imports them). */
const HOSTS = ['api', 'app', 'cli', 'electron', 'server']

const SQLITE = { name: 'better-sqlite3', message: 'SQLite is opened only in src-main/core/store (docs/ARCHITECTURE.md).' }
const ELECTRON = { name: 'electron', message: 'Electron is imported only in src-main/electron (docs/ARCHITECTURE.md).' }
const CORE_NO_HOST = { regex: `^(\\.\\./)+(${HOSTS.join('|')})/`, message: 'The core never imports a host or the API contract (docs/ARCHITECTURE.md).' }
const CORE_BY_INDEX = { regex: '^\\.\\./[a-z-]+/(?!index\\.ts$)[^/]+$', message: 'Another concern of the core is reached only through its index.ts (docs/ARCHITECTURE.md).' }
/**
 * The store keeps the transfer history, so it reads the transfer life cycle (which states are terminal, unfinished):
 * `core/transfer/lifecycle.ts` imports nothing, so this adds no cycle; everything else of `core/transfer` stays behind
 * its index.ts.
 */
const STORE_BY_INDEX = { regex: '^\\.\\./[a-z-]+/(?!index\\.ts$)(?<!^\\.\\./transfer/)[^/]+$|^\\.\\./transfer/(?!index\\.ts$|lifecycle\\.ts$)[^/]+$', message: 'Another concern of the core is reached only through its index.ts; the store may also read ../transfer/lifecycle.ts (docs/ARCHITECTURE.md).' }
const HOST_BY_INDEX = { regex: '/core/[a-z-]+/(?!index\\.ts$)[^/]+$', message: 'Hosts reach the core only through its index.ts files (docs/ARCHITECTURE.md).' }
const HOST_NO_STORE = { regex: '/core/store/', message: 'No host reads or writes the store: its contacts, history and settings come through the app layer (src-main/app/index.ts, docs/ARCHITECTURE.md).' }
const CLI_CORE_SURFACE = { regex: '/core/(?!index\\.ts$)', message: 'The CLI reaches the core only through src-main/core/index.ts; its policy comes from the app layer (docs/ARCHITECTURE.md).' }
const CLI_APP_SURFACE = { regex: '/app/(?!index\\.ts$)', message: 'The CLI reaches the app layer only through src-main/app/index.ts (docs/ARCHITECTURE.md).' }

/**
 * Import rules by folder (docs/ARCHITECTURE.md). Each file matches exactly one entry: a later flat-config entry's
 * options for the same rule replace an earlier one's, they do not add up.
 */
const LAYERS = [
  // The core imports no host and no Electron; one concern reaches another only through its index.ts; SQL only in
  // the store.
  { files: ['src-main/core/**/*.ts'], ignores: ['src-main/core/store/**'], paths: [ELECTRON, SQLITE], patterns: [CORE_NO_HOST, CORE_BY_INDEX] },
  { files: ['src-main/core/store/**/*.ts'], paths: [ELECTRON], patterns: [CORE_NO_HOST, STORE_BY_INDEX] },
  // The API contract is types and schemas only: it imports nothing of the app, the hosts or the core.
  { files: ['src-main/api/**/*.ts'], paths: [ELECTRON, SQLITE], patterns: [{ regex: '^\\.\\./(?!text/)', message: 'The API contract imports nothing outside src-main/api but src-main/text (docs/ARCHITECTURE.md).' }] },
  // Text for people: pure functions every layer shares; it imports nothing outside its folder.
  { files: ['src-main/text/**/*.ts'], paths: [ELECTRON, SQLITE], patterns: [{ regex: '^\\.\\./', message: 'src-main/text imports nothing outside its folder (docs/ARCHITECTURE.md).' }] },
  // The app reaches the core only through index.ts files; Electron only in its shell.
  { files: ['src-main/app/**/*.ts'], paths: [ELECTRON, SQLITE], patterns: [HOST_BY_INDEX] },
  // The hosts never touch the store. The CLI is a thin host of the app layer: the core's public surface
  // (core/index.ts) and the app's (app/index.ts) only.
  { files: ['src-main/cli/**/*.ts'], paths: [ELECTRON, SQLITE], patterns: [CLI_CORE_SURFACE, CLI_APP_SURFACE] },
  { files: ['src-main/server/**/*.ts'], paths: [ELECTRON, SQLITE], patterns: [HOST_BY_INDEX, HOST_NO_STORE] },
  { files: ['src-main/electron/**/*.ts'], paths: [SQLITE], patterns: [HOST_BY_INDEX, HOST_NO_STORE] },
  // The renderer knows the core only through the API contract's types: no paths, no Node.
  {
    files: ['src-renderer/src/**/*.ts'],
    paths: [ELECTRON, SQLITE],
    patterns: [
      { regex: 'src-main/(?!api/|text/)', message: 'The renderer imports only src-main/api and src-main/text (docs/ARCHITECTURE.md).' },
      { regex: '^node:', message: 'The renderer runs in a sandboxed page: no Node modules (docs/ARCHITECTURE.md).' }
    ]
  }
]

export default tseslint.config(
  { ignores: ['node_modules/**', 'scratch/**', 'dist/**', 'test-output/**', 'bench-results/**', 'src-renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // The renderer's components: TypeScript inside <script lang="ts">, browser globals.
    files: ['src-renderer/**/*.svelte', 'src-renderer/**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] }, globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', localStorage: 'readonly', requestAnimationFrame: 'readonly' } },
    rules: {
      // svelte-check (`npm run typecheck`) resolves every name with the DOM's types; ESLint's list of globals would repeat it.
      'no-undef': 'off',
      // The renderer's Maps and Sets are temporaries built inside a `$derived` or a one-off update, never mutated
      // afterwards: Svelte's reactive SvelteMap/SvelteSet would only add cost.
      'svelte/prefer-svelte-reactivity': 'off'
    }
  },
  // The layout: standard's style (2 spaces, single quotes, no semicolons, a space before a function's parentheses).
  stylistic.configs.customize({ semi: false, quotes: 'single', indent: 2, braceStyle: '1tbs', commaDangle: 'never', quoteProps: 'as-needed' }),
  {
    rules: {
      '@stylistic/space-before-function-paren': ['error', 'always'],
      '@stylistic/operator-linebreak': ['error', 'after', { overrides: { '?': 'before', ':': 'before', '|>': 'before', '|': 'before', '&': 'before' } }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      // Left as written: one-line guards (`if (x) return; y`), either arrow-parameter form, how a list or a ternary wraps.
      '@stylistic/max-statements-per-line': 'off',
      '@stylistic/arrow-parens': 'off',
      '@stylistic/list-style': 'off',
      '@stylistic/multiline-ternary': 'off'
    }
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortSignal: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off'
    }
  },
  ...LAYERS.map(({ files, ignores, paths, patterns }) => ({
    files,
    ...(ignores != null ? { ignores } : {}),
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] }
  })),
  {
    // The core reads no environment: the hosts read it (src-main/app/environment.ts) and pass settings in.
    files: ['src-main/core/**/*.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'The core reads no environment; hosts pass settings in (src-main/app/environment.ts, docs/ARCHITECTURE.md).' }] }
  }
)
