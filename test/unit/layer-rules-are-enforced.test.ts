/**
 * Invariant: the layer rules of docs/ARCHITECTURE.md are enforced by `npm run lint` — an import that breaks one is an
 * ESLint error in the folder it is written in. Each case lints a one-line file at a real path of the tree through
 * the project's own ESLint config (nothing is written to disk).
 */
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { ESLint } from 'eslint'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const eslint = new ESLint({ cwd: ROOT })

/** The `no-restricted-imports` messages ESLint gives `source` as if it were the file at `path`. */
async function restricted (path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${ROOT}/${path}` })
  return (result?.messages ?? []).filter(m => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-properties').map(m => m.message)
}

describe('layer rules (docs/ARCHITECTURE.md)', () => {
  const cases: Array<[string, string, string, RegExp | null]> = [
    ['the core never imports a host', 'src-main/core/peer/x.ts', "import type { App } from '../../app/index.ts'\nexport type X = App\n", /never imports a host/],
    ['the core never imports Electron', 'src-main/core/node/x.ts', "import type { App } from 'electron'\nexport type X = App\n", /Electron/],
    ['a core concern reaches another only through its index.ts', 'src-main/core/peer/x.ts', "import type { Placements } from '../transfer/placement.ts'\nexport type X = Placements\n", /through its index\.ts/],
    ['a core concern may import another one\'s index.ts', 'src-main/core/peer/x.ts', "import type { Store } from '../store/index.ts'\nexport type X = Store\n", null],
    ['SQLite is opened only in the store', 'src-main/app/x.ts', "import type Database from 'better-sqlite3'\nexport type X = Database.Database\n", /only in src-main\/core\/store/],
    ['the store may open SQLite', 'src-main/core/store/x.ts', "import type Database from 'better-sqlite3'\nexport type X = Database.Database\n", null],
    ['hosts reach the core only through index.ts files', 'src-main/server/x.ts', "import type { Placements } from '../core/transfer/placement.ts'\nexport type X = Placements\n", /Hosts reach the core/],
    ['the CLI reaches the core only through core/index.ts (not even another index.ts)', 'src-main/cli/commands/x.ts', "import { findRoute } from '../../core/contacts/index.ts'\nexport const x = findRoute\n", /only through src-main\/core\/index\.ts/],
    ['the CLI never opens the store', 'src-main/cli/commands/x.ts', "import { openStore } from '../../core/store/index.ts'\nexport const x = openStore\n", /only through src-main\/core\/index\.ts/],
    ['the CLI may import the core\'s public surface', 'src-main/cli/commands/x.ts', "import { createRelay } from '../../core/index.ts'\nexport const x = createRelay\n", null],
    ['the CLI reaches the app layer only through app/index.ts', 'src-main/cli/x.ts', "import { readEnvironment } from '../app/environment.ts'\nexport const x = readEnvironment\n", /app layer only through src-main\/app\/index\.ts/],
    ['the CLI may import the app layer\'s surface', 'src-main/cli/commands/x.ts', "import { sendOnce } from '../../app/index.ts'\nexport const x = sendOnce\n", null],
    ['the headless server never touches the store', 'src-main/server/x.ts', "import type { Store } from '../core/store/index.ts'\nexport type X = Store\n", /No host reads or writes the store/],
    ['the Electron shell never touches the store', 'src-main/electron/x.ts', "import type { Store } from '../core/store/index.ts'\nexport type X = Store\n", /No host reads or writes the store/],
    ['the app layer may use the store', 'src-main/app/x.ts', "import type { Store } from '../core/store/index.ts'\nexport type X = Store\n", null],
    ['the API contract imports nothing outside itself', 'src-main/api/x.ts', "import type { Peer } from '../core/index.ts'\nexport type X = Peer\n", /API contract imports nothing/],
    ['Electron is imported only in its shell', 'src-main/server/x.ts', "import type { App } from 'electron'\nexport type X = App\n", /only in src-main\/electron/],
    ['the renderer imports only the API contract', 'src-renderer/src/lib/x.ts', "import type { App } from '../../../src-main/app/index.ts'\nexport type X = App\n", /only src-main\/api/],
    ['the renderer may import the shared text rules', 'src-renderer/src/lib/x.ts', "import { formatBytes } from '../../../src-main/text/index.ts'\nexport const x = formatBytes\n", null],
    ['src-main/text imports nothing outside its folder', 'src-main/text/x.ts', "import type { Peer } from '../core/index.ts'\nexport type X = Peer\n", /imports nothing outside its folder/],
    ['the core reads no environment variable', 'src-main/core/config/x.ts', 'export const relays = process.env.FERRY_RELAYS\n', /reads no environment/],
    ['the renderer imports no Node module', 'src-renderer/src/lib/x.ts', "import { join } from 'node:path'\nexport const x = join\n", /no Node modules/]
  ]
  for (const [name, path, source, expected] of cases) {
    it(`${name} (${path})`, async () => {
      const messages = await restricted(path, source)
      if (expected == null) assert.deepEqual(messages, [])
      else assert.ok(messages.some(m => expected.test(m)), JSON.stringify(messages))
    })
  }
})
