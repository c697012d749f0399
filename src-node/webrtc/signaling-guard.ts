/**
 * Which messages from the signaling server reach PeerJS's own handler (`Peer._handleMessage`).
 *
 * In a browser an exception in PeerJS's handlers is logged and forgotten; in Node it is an
 * uncaught exception (ws and EventTarget both rethrow it), and the host process dies with every
 * transfer it carries. Two messages anyone on the server can send do that:
 * - an OFFER whose `serialization` PeerJS has no class for (`new undefined(...)`, thrown in the
 *   socket's message handler);
 * - an OFFER with a serialization other than `raw` (json, binary): PeerJS then parses every
 *   message on that channel itself, in a data channel listener, and a malformed one throws.
 * Ferry speaks only `raw` (the engine's DataConnectionPort says so), so an OFFER is let through
 * only as a raw data connection, well formed; the rest of PeerJS's protocol passes unchanged,
 * except what would throw for want of a payload.
 */
export function admitSignalingMessage(message: unknown): unknown {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, payload } = message as { type?: unknown; payload?: unknown };
  if (typeof type !== 'string') return undefined;
  switch (type) {
    case 'OFFER':
      return isRawDataOffer(payload) ? message : undefined;
    case 'ERROR':
      // PeerJS reads payload.msg.
      return typeof payload === 'object' && payload !== null ? message : { ...message, payload: { msg: 'The signaling server reported an error.' } };
    default:
      return message;
  }
}

function isRawDataOffer(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const offer = payload as { type?: unknown; serialization?: unknown; connectionId?: unknown; sdp?: unknown };
  return (
    offer.type === 'data' &&
    offer.serialization === 'raw' &&
    typeof offer.connectionId === 'string' &&
    typeof offer.sdp === 'object' &&
    offer.sdp !== null &&
    typeof (offer.sdp as { sdp?: unknown }).sdp === 'string'
  );
}
