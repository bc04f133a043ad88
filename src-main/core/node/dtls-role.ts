import { RTCPeerConnection } from 'node-datachannel/polyfill'

/**
 * Ferry answers every WebRTC offer as the DTLS server (`a=setup:passive`), so that the side which dialled sends the
 * DTLS ClientHello. Why, measured (docs/PERFORMANCE.md, "Connect: the DTLS role of the answer"):
 *
 * In relay-assisted WebRTC the answerer learns the offerer's ICE candidates first, so its connectivity check usually
 * succeeds first. libdatachannel (node-datachannel 0.33, libdatachannel 0.24.5) answers an `actpass` offer with
 * `active`, i.e. the answerer is the DTLS client: it sends its ClientHello the moment its own ICE state is
 * "connected". If that datagram reaches the offerer before the offerer's ICE state is "connected" too, the offerer
 * has no DTLS transport yet and drops it, and the handshake waits for OpenSSL's fixed 1 s retransmission timer. That
 * happened in 11 of 30 and 11 of 40 dials on loopback (~1,050 ms instead of ~60 ms). With the answerer passive, the
 * offerer sends the ClientHello when its ICE state is "connected", by which time the answerer's DTLS transport exists:
 * 0 of 110 dials waited for the timer.
 *
 * Standards: an offer's `a=setup:actpass` lets the answerer choose `active` or `passive` (RFC 8842 §5.3, RFC 5763
 * §5); an offerer must then take the other role. Nothing else depends on the roles in private-to-private WebRTC: the
 * DTLS certificate fingerprints travel in the SDP over the relayed connection, which Noise has already authenticated
 * (libp2p WebRTC spec), and libp2p skips its own encryption on the resulting connection.
 *
 * How: node-datachannel's WebRTC polyfill (which @libp2p/webrtc uses) lets the answer follow the offer, so an
 * incoming `actpass` offer is handed to it as `active` ({@link asActiveOffer}); libdatachannel then answers `passive`
 * and the remote offerer, which offered `actpass`, becomes the DTLS client. Only remote offers are touched; the SDP
 * this peer sends is unchanged, so peers without this change interoperate both ways. Ferry's nodes have no
 * WebRTC-Direct transport, whose SDP is built locally and must not be rewritten.
 */
export function answerAsDtlsServer (): void {
  if (installed) return
  installed = true
  const setRemoteDescription = RTCPeerConnection.prototype.setRemoteDescription
  RTCPeerConnection.prototype.setRemoteDescription = async function (this: RTCPeerConnection, description: SessionDescription): Promise<void> {
    const adjusted = description.type === 'offer' && description.sdp != null ? { type: description.type, sdp: asActiveOffer(description.sdp) } : description
    await setRemoteDescription.call(this, adjusted)
  }
}

let installed = false

type SessionDescription = Parameters<RTCPeerConnection['setRemoteDescription']>[0]

/**
 * Returns `sdp` (an SDP offer) with every `a=setup:actpass` line turned into `a=setup:active` — the offerer will be
 * the DTLS client — and every other line unchanged, line endings included (`\r\n` per RFC 8866, or `\n`).
 */
export function asActiveOffer (sdp: string): string {
  return sdp.replace(/^a=setup:actpass(?=\r?$)/gm, 'a=setup:active')
}
