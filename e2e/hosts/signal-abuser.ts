/*
 * A misbehaving signaling client on a lab host (raw PeerJS protocol over WebSocket):
 *   node --import tsx e2e/hosts/signal-abuser.ts <ws base url> flood <peer id> <seconds>
 *   node --import tsx e2e/hosts/signal-abuser.ts <ws base url> takeover <peer id>
 * flood: registers, then sends OFFERs as fast as the socket takes them; takeover: connects with
 * another device's id and a token of its own. Reports what the server did as JSON lines.
 */
import WebSocket from 'ws';

const [base, mode, id, seconds] = process.argv.slice(2) as [string, 'flood' | 'takeover', string, string | undefined];
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const socket = new WebSocket(`${base}peerjs?key=peerjs&id=${id}&token=abuser-${Date.now()}`);
let sent = 0;

socket.on('message', (data) => {
  const message = JSON.parse(String(data)) as { type: string; payload?: { msg?: string } };
  say({ event: 'message', type: message.type, msg: message.payload?.msg });
  if (message.type !== 'OPEN' || mode !== 'flood') return;
  const until = Date.now() + Number(seconds ?? 5) * 1000;
  const blast = () => {
    if (socket.readyState !== WebSocket.OPEN || Date.now() > until) return;
    for (let i = 0; i < 200; i++) {
      socket.send(JSON.stringify({ type: 'OFFER', dst: 'ferry-aaaaaaaaaaaaaaaa', payload: { sdp: { type: 'offer', sdp: 'x'.repeat(500) }, connectionId: `dc_${sent}` } }));
      sent++;
    }
    setImmediate(blast);
  };
  blast();
});
socket.on('close', (code, reason) => {
  say({ event: 'closed', code, reason: reason.toString(), sent });
  process.exit(0);
});
socket.on('error', (error) => say({ event: 'error', message: error.message }));
