/**
 * A stand-in STUN server on loopback for the network check's tests: it answers Binding requests (RFC 5389) with the
 * sender's real address, a fixed made-up one (to play a NAT), not at all, or not the first time.
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { encodeBindingSuccess } from '../../src-main/core/netcheck/index.ts'

/** How the responder answers. */
export type StunBehaviour = { kind: 'reflect' } | { kind: 'fixed', address: string, port: number } | { kind: 'silent' } | { kind: 'drop-first' }

/** A running responder: its socket (close it), its port, and how many requests it received. */
export interface StunResponder {
  socket: Socket
  port: number
  received: number
}

/** Starts a STUN Binding responder on `ip` (a loopback address), any free port. */
export async function stunResponder (ip: string, behaviour: StunBehaviour): Promise<StunResponder> {
  const socket = createSocket('udp4')
  const state = { socket, port: 0, received: 0 }
  socket.on('message', (msg, from) => {
    state.received++
    if (behaviour.kind === 'silent' || (behaviour.kind === 'drop-first' && state.received === 1)) return
    const transactionId = Buffer.from(msg.subarray(8, 20))
    const mapped = behaviour.kind === 'fixed' ? behaviour : { address: from.address, port: from.port }
    socket.send(encodeBindingSuccess(transactionId, mapped), from.port, from.address)
  })
  await new Promise<void>(resolve => socket.bind(0, ip, resolve))
  state.port = socket.address().port
  return state
}
