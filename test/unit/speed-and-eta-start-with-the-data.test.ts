/**
 * Invariant: the speed and ETA shown during a transfer are measured from its first bytes, and none is shown before a
 * second of data — a person who took a minute to accept never sees "2.1 KiB/s, 280 h left" for the first moments.
 */
import assert from 'node:assert/strict'
import { describe, it, mock } from 'node:test'
import { ProgressReporter, SpeedMeter } from '../../src-main/core/transfer/index.ts'
import type { TransferProgress } from '../../src-main/core/transfer/index.ts'

describe('speed and ETA', () => {
  it('no estimate before a second of data, then the rate of the data itself', () => {
    const meter = new SpeedMeter()
    meter.record(0, 10_000)
    meter.record(5_000_000, 10_250)
    assert.equal(meter.bytesPerSecond, 0)
    assert.equal(meter.etaMs(100_000_000), undefined)
    meter.record(20_000_000, 11_000)
    assert.equal(meter.bytesPerSecond, 20_000_000)
    assert.equal(meter.etaMs(100_000_000), 4_000)
  })

  it('a transfer accepted after a minute: the first estimate is measured from the first bytes, not the offer', () => {
    mock.timers.enable({ apis: ['Date'], now: 0 })
    try {
      const events: TransferProgress[] = []
      const reporter = new ProgressReporter({ transferId: 't', direction: 'receive', peerId: 'p', totalBytes: 1_000_000_000, files: [{ path: 'a' }] }, p => events.push(p))
      mock.timers.tick(60_000) // the person decides
      reporter.update(65_536, 0) // the first chunk
      for (let i = 1; i <= 8; i++) {
        mock.timers.tick(250)
        reporter.update(65_536 + i * 25_000_000, 0) // 100 MB/s
      }
      const early = events.filter(e => e.transferredBytes <= 65_536 + 3 * 25_000_000)
      assert.ok(early.length > 0)
      for (const e of early) assert.deepEqual([e.bytesPerSecond, e.etaMs], [0, undefined], 'nothing shown before a second of data')
      const last = events.at(-1) as TransferProgress
      assert.ok(Math.abs(last.bytesPerSecond - 100_000_000) < 1, String(last.bytesPerSecond))
      assert.ok(last.etaMs != null && Math.abs(last.etaMs - (1_000_000_000 - last.transferredBytes) / 100_000) < 1, String(last.etaMs))
    } finally {
      mock.timers.reset()
    }
  })
})
