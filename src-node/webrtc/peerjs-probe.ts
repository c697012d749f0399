/**
 * What PeerJS finds as `RTCPeerConnection` while it loads, and only then.
 *
 * On import PeerJS probes the browser: it makes an RTCPeerConnection with its own cloud servers
 * (stun.l.google.com, the peerjs.com TURN servers) and a data channel, then closes them. On
 * node-datachannel that is a real connection: it starts an offer and ICE gathering, so loading
 * the module resolves and contacts those third-party hosts. This stand-in answers the probe with
 * what node-datachannel supports (ordered data channels, binaryType) and opens nothing.
 */
export class PeerJsProbeConnection {
  createDataChannel(_label: string, init: { ordered?: boolean } = {}): { ordered: boolean; binaryType: string; close(): void } {
    return { ordered: init.ordered ?? true, binaryType: 'arraybuffer', close: () => {} };
  }

  close(): void {}
}
