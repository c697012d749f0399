/*
 * The engine in its own Node process, as the app's utility process runs it: main's services over
 * this process's IPC channel (forked by e2e/hosts/main-host.ts), views over WebSockets on
 * 127.0.0.1 (the lab's stand-in for the MessagePort the preload hands the window), admitted by a
 * token. Tells main where views reach it with a note, 'view-socket' { port, token }.
 * With FERRY_TEST_WEBRTC=wrtc its PeerJS runs on @roamhq/wrtc instead of node-datachannel (the
 * conformance suite's other Node stack; e2e/hosts/wrtc-engine-peer.ts).
 *   forked by main-host.ts: node --import tsx e2e/hosts/engine-child.ts
 */
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { parentProcessPort, webSocketPort } from '../../src-node/engine-host/process-ports.js';
import { runEngineHost } from '../../src-node/engine-host/run-engine-host.js';
import { createNodeSignalingPeer } from '../../src-node/webrtc/peerjs-on-node.js';
import { withFrameTaps } from './frame-taps.js';
import { SkewedRuntime } from './skewed-runtime.js';
import { logInsteadOfCrashing } from '../../src-node/engine-host/uncaught.js';

// As the app's engine process does; the lab's stderr shows what was caught.
logInsteadOfCrashing((message) => process.stderr.write(`${message}\n`));
const main = parentProcessPort();
// A test that must see minutes pass moves the engine's clock on: { t: 'test-clock', advanceMs }.
const clock = process.env.FERRY_TEST_CLOCK === '1' ? new SkewedRuntime() : undefined;
// With FERRY_TEST_WEBRTC=taps a test makes this device misbehave: { t: 'test-inject', channel, base64 }.
const taps = process.env.FERRY_TEST_WEBRTC === 'taps' ? withFrameTaps(createNodeSignalingPeer) : undefined;
main.onMessage((message) => {
  const { t, advanceMs, channel, base64 } = (message ?? {}) as { t?: unknown; advanceMs?: unknown; channel?: unknown; base64?: unknown };
  if (t === 'test-clock' && typeof advanceMs === 'number') clock?.advance(advanceMs);
  if (t === 'test-inject' && typeof channel === 'string' && typeof base64 === 'string') {
    try {
      taps?.inject(channel, new Uint8Array(Buffer.from(base64, 'base64')));
    } catch (error) {
      process.stderr.write(`test-inject: ${(error as Error).message}\n`);
    }
  }
});
const createPeer = process.env.FERRY_TEST_WEBRTC === 'wrtc' ? (await import('./wrtc-engine-peer.js')).createWrtcSignalingPeer : taps?.createPeer;
const host = await runEngineHost(main, {
  peerJsDebug: Number(process.env.FERRY_PEERJS_DEBUG ?? 0) as 0 | 1 | 2 | 3,
  ...(clock ? { runtime: clock } : {}),
  ...(createPeer ? { createPeer } : {}),
});
const token = randomBytes(16).toString('hex');
const server = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  maxPayload: 4 * 1024 * 1024,
  verifyClient: ({ req }: { req: { url?: string } }) => new URL(req.url ?? '/', 'http://x').searchParams.get('token') === token,
});
server.on('connection', (socket) => {
  const served = host.serveView(webSocketPort(socket));
  socket.on('close', () => served.close());
});
server.on('listening', () => {
  const { port } = server.address() as { port: number };
  main.post({ t: 'note', name: 'view-socket', value: { port, token } });
});
// Main quits (SIGTERM) or is gone: the engine closes its connections (TURN allocations are
// released, peers hear the close) and goes, like a utility process.
const quit = () => void host.stop().finally(() => process.exit(0));
process.on('disconnect', quit);
process.on('SIGTERM', quit);
