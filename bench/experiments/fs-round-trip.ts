/**
 * Experiment (docs/PERFORMANCE.md, "Many small files: where the receiver's time goes"): what one awaited file-system
 * call costs compared with the same call made synchronously — the thread-pool round trip every awaited call pays.
 *
 *   node_modules/.bin/node bench/experiments/fs-round-trip.ts [calls]
 */
import { lstatSync } from 'node:fs'
import { lstat } from 'node:fs/promises'
import { tmpdir } from 'node:os'

const calls = Number(process.argv[2] ?? 3000)
const dir = tmpdir()
let started = performance.now()
for (let i = 0; i < calls; i++) await lstat(dir)
const awaited = (performance.now() - started) / calls
started = performance.now()
for (let i = 0; i < calls; i++) lstatSync(dir)
const sync = (performance.now() - started) / calls
console.log(`lstat awaited ${(awaited * 1000).toFixed(0)} µs, synchronous ${(sync * 1000).toFixed(1)} µs (${calls} calls each)`)
