import { setSctpSettings } from 'node-datachannel'
import { SCTP_SETTINGS } from './constants.ts'

/**
 * Applies {@link SCTP_SETTINGS} to libdatachannel, once per process, before the first peer connection: its SCTP
 * settings are process-wide and apply to every SCTP association created afterwards (node-datachannel
 * `setSctpSettings`, libdatachannel `rtc::SetSctpSettings`). Why these values: docs/PERFORMANCE.md, "SCTP settings on long paths".
 */
export function applySctpSettings (): void {
  if (applied) return
  applied = true
  setSctpSettings({ ...SCTP_SETTINGS })
}

let applied = false
