#!/usr/bin/env node
// Entry point of the `ferry` command. Ferry's sources are TypeScript run by Node's type stripping (Node >= 24).
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  process.stderr.write(`ferry needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npx ferry …), ` +
    'which uses the Node 24 that `npm install` put in node_modules/.bin.\n')
  process.exit(1)
}
await import('../src-main/cli/main.ts')
