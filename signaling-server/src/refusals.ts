import type WebSocket from 'ws';

/** Why the server refused a connection, a request or a message. Counted and reported by reason. */
export type RefusalReason =
  | 'origin-not-allowed'
  | 'bad-request'
  | 'invalid-key'
  | 'invalid-id'
  | 'token-missing'
  | 'token-invalid'
  | 'token-expired'
  | 'id-taken'
  | 'server-full'
  | 'too-many-connections'
  | 'rate-limited'
  | 'message-too-large'
  | 'bad-destination'
  | 'queue-full';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'origin-not-allowed', 'bad-request', 'invalid-key', 'invalid-id', 'token-missing', 'token-invalid',
  'token-expired', 'id-taken', 'server-full', 'too-many-connections', 'rate-limited',
  'message-too-large', 'bad-destination', 'queue-full',
];

/**
 * What a refused WebSocket client is told. A browser cannot read an HTTP status from a failed
 * upgrade, and PeerJS ignores close codes ("Lost connection to server"), but it surfaces a server
 * `ERROR` message as a `server-error` whose message is our text. So the upgrade is accepted, the
 * text is sent as `ERROR` (or PeerJS's own `ID-TAKEN`, which it reports as `unavailable-id`), and
 * the socket is closed with a 44xx code mirroring the HTTP status, for clients that read it.
 */
export const WS_REFUSALS = {
  'origin-not-allowed': { code: 4403, text: 'This web origin is not allowed to use this signaling server.' },
  'bad-request': { code: 4400, text: 'No id, token, or key supplied to websocket server' },
  'invalid-key': { code: 4401, text: 'Invalid key provided' },
  'invalid-id': { code: 4400, text: 'Invalid peer id: ids on this server are "ferry-" and 16 characters a-z, 2-7.' },
  'token-missing': { code: 4401, text: 'This signaling server needs an access token.' },
  'token-invalid': { code: 4401, text: 'The access token is not valid on this signaling server.' },
  'token-expired': { code: 4401, text: 'The access token has expired; ask the server operator for a new one.' },
  'id-taken': { code: 4409, text: 'ID is taken' },
  'server-full': { code: 4503, text: 'This signaling server is full; try again later.' },
  'too-many-connections': { code: 4429, text: 'Too many connections from your address.' },
  'rate-limited': { code: 4429, text: 'Too many messages from your address; slow down.' },
} as const satisfies Partial<Record<RefusalReason, { code: number; text: string }>>;

export type WsRefusal = keyof typeof WS_REFUSALS;

/** A socket replaced by a newer connection for the same id (PeerJS reconnect). */
export const REPLACED = { code: 4410, text: 'This id connected again on a newer connection.' } as const;

/** Tells a socket its id connected again elsewhere (REPLACED) and closes it. */
export function closeReplaced(socket: WebSocket): void {
  closeWithMessage(socket, JSON.stringify({ type: 'ERROR', payload: { msg: REPLACED.text } }), REPLACED.code, REPLACED.text);
}

/** How long a closing socket may take to answer our close frame before it is cut. */
export const CLOSE_GRACE_MS = 2_000;

/** Tells the client why (in the form PeerJS shows) and closes the socket. */
export function refuseSocket(socket: WebSocket, reason: WsRefusal): void {
  const { code, text } = WS_REFUSALS[reason];
  const message = reason === 'id-taken' ? { type: 'ID-TAKEN', payload: { msg: text } } : { type: 'ERROR', payload: { msg: text } };
  closeWithMessage(socket, JSON.stringify(message), code, text);
}

export function closeWithMessage(socket: WebSocket, message: string, code: number, reason: string): void {
  if (socket.readyState !== socket.OPEN) {
    socket.terminate();
    return;
  }
  socket.send(message);
  // Close reasons are limited to 123 bytes; ours are shorter, but never let one throw.
  socket.close(code, Buffer.byteLength(reason) <= 123 ? reason : reason.slice(0, 60));
}
