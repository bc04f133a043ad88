import { AsyncLocalStorage } from 'node:async_hooks'
import { toRtcIceServer } from '../config/index.ts'
import type { RtcIceServer } from '../config/index.ts'

/**
 * Whether WebRTC peer connections created in the current async context may gather TURN relay candidates. Set by
 * {@link withTurn} around the TURN leg of a dial, which starts `TURN_LEG_DELAY_MS` after the STUN-only one (dial.ts).
 */
const turnAllowed = new AsyncLocalStorage<boolean>()

/**
 * The `rtcConfiguration` of Ferry's WebRTC transport, as a function libp2p calls for every new peer connection: the
 * STUN servers of `urls` always, its TURN servers only inside {@link withTurn}.
 *
 * Why: with a TURN server in the configuration, ICE often nominates the relay candidate pair before a direct pair's
 * hole punch completes (its checks work at once, a punched pair needs a retransmission) — measured in the network
 * lab: port-restricted NATs on both sides connected through TURN in about half the runs. Leaving TURN out of the
 * first leg of a dial, and starting the TURN leg a little later, lets a direct path win whenever one exists. Inbound connections (the listener side) never gather
 * relay candidates: the dialer's relay candidate is enough for every topology where TURN over UDP can work.
 *
 * Caveat: the context reaches libp2p's transport through its dial queue, which starts a queued dial in the context of
 * the dial that freed its slot; with libp2p's default of 100 parallel dials, a dial never waits there in practice.
 *
 * @throws {ConfigError} (from `toRtcIceServer`) for a TURN URL without credentials
 */
export function rtcConfigurationFor (urls: readonly string[]): () => { iceServers: RtcIceServer[] } {
  const servers = urls.map(toRtcIceServer)
  const isTurn = (s: RtcIceServer): boolean => /^turns?:/.test(s.urls)
  return () => ({
    // fresh objects each time: node-datachannel's polyfill rewrites `urls` in place
    iceServers: servers.filter(s => turnAllowed.getStore() === true || !isTurn(s)).map(s => ({ ...s }))
  })
}

const turnNodes = new WeakSet<object>()

/** Records that `node`'s ICE servers (`urls`, as given to {@link rtcConfigurationFor}) include a TURN server. */
export function noteTurnServers (node: object, urls: readonly string[]): void {
  if (urls.some(u => /^turns?:/i.test(u.trim()))) turnNodes.add(node)
}

/** Whether `node` has a TURN server configured (see {@link noteTurnServers}): only then is a TURN leg worth racing. */
export function hasTurnServers (node: object): boolean {
  return turnNodes.has(node)
}

/** Runs `fn` with TURN servers allowed for the WebRTC peer connections it creates. */
export async function withTurn<T> (fn: () => Promise<T>): Promise<T> {
  return turnAllowed.run(true, fn)
}
