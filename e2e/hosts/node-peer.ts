/*
 * A Ferry peer in Node: the stock `peerjs` client on @roamhq/wrtc, speaking Ferry's frames
 * through the core's ChatSession. Driven by JSON lines on stdin; reports JSON lines on stdout.
 * Run inside a lab host: node --import tsx e2e/hosts/node-peer.ts <signalingUrl> <peerId> <name>
 */
import { createInterface } from 'node:readline';
import type { DataConnection } from 'peerjs';
import { ed25519 } from '@noble/curves/ed25519';
import { ChatSession, channelBinding, peerIdFromPublicKey, SessionAuthenticator, sessionSigningInput } from '../../src-core/index.js';
import { createNodePeer, nodeRuntime as runtime, report } from './wrtc-peerjs.js';

const args = process.argv.slice(2);
if (args.length !== 3) {
  process.stderr.write('usage: node-peer <signalingUrl> <peerId> <deviceName>\n');
  process.exit(2);
}
const [signalingUrl, requestedId, deviceName] = args as [string, string, string];
// Like the app: an identity key, and (with "auto") the peer id derived from it, so sessions
// authenticate (SPEC.md, "Session authentication").
const secretKey = ed25519.utils.randomPrivateKey();
const publicKey = ed25519.getPublicKey(secretKey);
const peerId = requestedId === 'auto' ? peerIdFromPublicKey(publicKey) : requestedId;

const peer = createNodePeer(signalingUrl, peerId);
let session: ChatSession | undefined;
let lastConnection: DataConnection | undefined;

function attach(connection: DataConnection, role: 'initiator' | 'responder'): void {
  let authenticator: SessionAuthenticator | undefined;
  const chat: ChatSession = new ChatSession({
    runtime,
    deviceName,
    send: (frame) => void connection.send(frame.slice().buffer),
    onEvent: (event) => {
      switch (event.type) {
        case 'opened': {
          const pc = connection.peerConnection;
          authenticator = new SessionAuthenticator({
            runtime,
            role,
            binding: channelBinding(pc.localDescription?.sdp ?? '', pc.remoteDescription?.sdp ?? ''),
            ownPublicKey: publicKey,
            remotePeerId: connection.peer,
            sign: async (transcript, signingRole) => ed25519.sign(sessionSigningInput(transcript, signingRole), secretKey),
            send: (message) => {
              // The other side may have closed already (after refusing us): nothing to tell it then.
              if (chat.state === 'open') chat.sendTransferMessage(message);
            },
            done: (outcome) => {
              if (outcome.ok) report({ event: 'opened', peer: connection.peer, peerName: event.peerDeviceName });
              else report({ event: 'auth-failed', message: outcome.error.message });
            },
          });
          authenticator.start();
          break;
        }
        case 'text-received':
          report({ event: 'text', body: event.body });
          break;
        case 'text-delivered':
          report({ event: 'delivered', id: event.id });
          break;
        case 'text-failed':
          report({ event: 'failed', id: event.id });
          break;
        case 'closed':
          report({ event: 'closed', error: event.error?.message });
          break;
      }
    },
    onAuthMessage: (message) => authenticator?.receive(message),
  });
  session = chat;
  lastConnection = connection;
  connection.on('iceStateChanged', (state) => report({ event: 'ice', state }));
  connection.on('open', () => chat.start());
  connection.on('data', (data) => chat.receive(new Uint8Array(data as ArrayBuffer)));
  connection.on('close', () => chat.channelClosed());
  connection.on('error', (error) => report({ event: 'error', message: error.message }));
}

peer.on('open', (id) => report({ event: 'ready', peerId: id }));
peer.on('connection', (connection) => attach(connection, 'responder'));
peer.on('error', (error) => report({ event: 'error', type: String(error.type), message: error.message }));

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; peerId?: string; body?: string };
  try {
    switch (command.cmd) {
      case 'connect':
        attach(peer.connect(command.peerId ?? '', { serialization: 'raw', reliable: true }), 'initiator');
        break;
      case 'send': {
        if (!session) throw new Error('no session');
        const sent = session.sendText(command.body ?? '');
        report({ event: 'sent', id: sent.id });
        break;
      }
      case 'garbage':
        // A hostile peer: a control frame whose payload is not UTF-8.
        if (!lastConnection) throw new Error('no connection');
        void lastConnection.send(Uint8Array.of(0x01, 0x7b, 0xff, 0xfe, 0x7d).buffer);
        report({ event: 'garbage-sent' });
        break;
      case 'quit':
        peer.destroy();
        process.exit(0);
        break;
      default:
        report({ event: 'error', message: `unknown command ${command.cmd}` });
    }
  } catch (error) {
    report({ event: 'error', message: (error as Error).message });
  }
});

process.on('SIGTERM', () => {
  peer.destroy();
  process.exit(0);
});
