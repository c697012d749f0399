/*
 * The stock PeerJS client (Node, @roamhq/wrtc) on a lab host, for the cluster test: registers an
 * id on one signaling node; with a second id, opens a DataConnection to it (which may sit on
 * another node) and reports what comes back. Answers every message it gets with "echo:<it>".
 * Args: JSON { url, id, connectTo? }. Prints one JSON line per event.
 */
import { createNodePeer, report } from './wrtc-peerjs.js';

const { url, id, connectTo } = JSON.parse(process.argv[2] ?? '{}') as { url: string; id: string; connectTo?: string };
const peer = createNodePeer(url, id);
peer.on('open', (openId) => {
  report({ event: 'open', id: openId });
  if (connectTo === undefined) return;
  const conn = peer.connect(connectTo, { serialization: 'json', reliable: true });
  conn.on('open', () => conn.send('hello across nodes'));
  conn.on('data', (data) => report({ event: 'data', data }));
  conn.on('error', (error) => report({ event: 'conn-error', message: String(error) }));
});
peer.on('connection', (conn) => {
  report({ event: 'connection', from: conn.peer });
  conn.on('data', (data) => conn.send(`echo:${String(data)}`));
});
peer.on('error', (error) => report({ event: 'error', type: String((error as { type?: unknown }).type), message: error.message }));
process.on('SIGTERM', () => {
  peer.destroy();
  process.exit(0);
});
