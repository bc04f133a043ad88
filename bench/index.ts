/**
 * `npm run bench`: Ferry's throughput, small-file rate, connect time and memory against the raw transports it is
 * built on, all measured in one run on loopback. Prints a table and writes `bench-results/latest.json`.
 * See docs/PERFORMANCE.md for what each row means and the experiments behind the current settings.
 *
 * @example
 * ```sh
 * npm run bench                        # the full run: 1 GiB transfers, 10,000 small files, 30 dials (~4 min on 2 cores)
 * npm run bench -- --size 128MiB       # a shorter run
 * npm run bench -- --only tcp,webrtc   # throughput only
 * npm run bench -- --wan               # emulated internet paths instead (root; bench/wan.ts)
 * ```
 */
import { resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { DEFAULTS, runBench, SECTIONS } from './run.ts'
import { parseSize } from './size.ts'
import type { Section } from './run.ts'
import { table, writeResults } from './report.ts'

export { parseSize }

function positiveInt (text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${text}" is not a positive integer`)
  return n
}

function sections (text: string): Section[] {
  const list = text.split(',').map(s => s.trim())
  for (const s of list) if (!(SECTIONS as readonly string[]).includes(s)) throw new InvalidArgumentError(`"${s}" is not one of ${SECTIONS.join(', ')}`)
  return list as Section[]
}

// `npm run bench -- --wan …` is `npm run bench:wan -- …` (bench/wan.ts: emulated internet paths, root).
if (process.argv.includes('--wan')) {
  process.argv = process.argv.filter(a => a !== '--wan')
  await import('./wan.ts')
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)
}

const program = new Command('bench')
  .description('Measure Ferry against raw node-datachannel and libp2p on loopback, in one run.')
  .addOption(new Option('--size <size>', 'bytes per throughput transfer (ceilings and Ferry)').default(DEFAULTS.sizeBytes, '1GiB').argParser(parseSize))
  .addOption(new Option('--compare-size <size>', 'a second Ferry transfer per transport at this size, for the RSS comparison (0: none)').default(DEFAULTS.compareSizeBytes, '128MiB').argParser(parseSize))
  .addOption(new Option('--files <n>', 'files in the small-files transfer').default(DEFAULTS.files).argParser(positiveInt))
  .addOption(new Option('--file-size <size>', 'size of each small file').default(DEFAULTS.fileBytes, '4KiB').argParser(parseSize))
  .addOption(new Option('--dials <n>', 'dials in the connect measurement').default(DEFAULTS.dials).argParser(positiveInt))
  .addOption(new Option('--repeat <n>', 'measure each throughput pair n times and keep the best (for a noisy machine)').default(DEFAULTS.repeat).argParser(positiveInt))
  .addOption(new Option('--only <sections>', `comma-separated subset of ${SECTIONS.join(',')}`).default(DEFAULTS.sections, 'all').argParser(sections))
  .addOption(new Option('--tmp <dir>', 'folder for the temp files (the disk both peers read and write)').default(DEFAULTS.tmp))
  .addOption(new Option('--out <file>', 'where to write the JSON figures').default('bench-results/latest.json'))

program.parse(process.argv)
const opts = program.opts<{ size: number, compareSize: number, files: number, fileSize: number, dials: number, repeat: number, only: Section[], tmp: string, out: string }>()

const results = await runBench({
  sizeBytes: opts.size,
  compareSizeBytes: opts.compareSize,
  files: opts.files,
  fileBytes: opts.fileSize,
  dials: opts.dials,
  repeat: opts.repeat,
  sections: opts.only,
  tmp: resolve(opts.tmp),
  log: (line) => process.stderr.write(`${line}\n`)
})
const out = resolve(opts.out)
await writeResults(out, results)
console.log(`\n${table(results)}\n\nFigures written to ${out}`)
