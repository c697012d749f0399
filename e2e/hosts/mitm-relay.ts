/*
 * The man in the middle: a relay peer on @roamhq/wrtc with the stock PeerJS client, holding two
 * peer ids on the signaling server. A hostile server (mitm-signal.ts) sends a victim's dial of a
 * target to one of them; the relay then dials the real target from its other id with the same
 * metadata, label and connection id, and once both DataConnections are open forwards every
 * message of their DataChannels (and of Ferry's pre-negotiated data channels) both ways. Each
 * victim has a DTLS session with the relay, never with the other victim.
 *   node --import tsx e2e/hosts/mitm-relay.ts <signalingUrl> <relayIdA> <relayIdB>
 * stdin (JSON lines): {"cmd":"target","via":<relay id>,"target":<peer id>,"seq":n},
 *   {"cmd":"drop","type":<JSON message type to withhold, or null for none>,"seq":n}
 * stdout (JSON lines): ready, incoming, bridged, forwarded, closed, error, ok (seq done)
 */
import { createInterface } from 'node:readline';
import type { DataConnection, Peer as PeerType, PeerConnectOption } from 'peerjs';
import { DATA_CHANNEL_SETUP, PEER_ID_PATTERN, sdpFingerprints } from '../../src-core/index.js';
import { createNodePeer, report } from './wrtc-peerjs.js';

const [signalingUrl, ...relayIds] = process.argv.slice(2);
if (!signalingUrl || relayIds.length !== 2 || !relayIds.every((id) => PEER_ID_PATTERN.test(id))) {
  process.stderr.write('usage: mitm-relay <signalingUrl> <relayIdA> <relayIdB> (Ferry peer ids)\n');
  process.exit(2);
}

/** Whom a victim's connection arriving at a relay id is passed on to. */
const targets = new Map<string, string>();
const peers = new Map<string, PeerType>();
/** A dial the relay makes gets this long to open before both legs are dropped. */
const DIAL_TIMEOUT_MS = 15_000;
let bridgeCount = 0;
/** A message type the relay withholds (to cut an exchange short), if any. */
let withheld: string | undefined;
/** The relay's own dials not yet open, so the server's "no such peer" can end their bridge. */
const pendingDials = new Map<DataConnection, () => void>();

type Channel = DataConnection['dataChannel'];
type Side = 'caller' | 'callee';

/** What a message is, for the report: the relay reads everything (it terminates DTLS). */
function describe(data: unknown): { kind: 'text' | 'binary'; bytes: number; type?: string } {
  const parseType = (text: string): string | undefined => {
    try {
      const type = (JSON.parse(text) as { type?: unknown }).type;
      return typeof type === 'string' ? type : undefined;
    } catch {
      return undefined;
    }
  };
  if (typeof data === 'string') return { kind: 'text', bytes: data.length, type: parseType(data) };
  const bytes = new Uint8Array(data as ArrayBuffer);
  // A Ferry control frame: kind 0x01, then UTF-8 JSON.
  const type = bytes[0] === 0x01 ? parseType(new TextDecoder().decode(bytes.subarray(1))) : undefined;
  return { kind: 'binary', bytes: bytes.length, type: type ?? `frame-0x${(bytes[0] ?? 0).toString(16)}` };
}

/** Forwards `from`'s messages to `to`, queued until `to` is open. */
/**
 * Sends on one leg unless it has closed meanwhile (the other victim hung up while a frame was on
 * its way): a relay that threw there would die and take every later bridge with it.
 */
function sendIfOpen(to: Channel, data: unknown, n: number): void {
  if (to.readyState !== 'open') {
    report({ event: 'undeliverable', bridge: n, state: to.readyState });
    return;
  }
  try {
    to.send(data as string);
  } catch (error) {
    report({ event: 'undeliverable', bridge: n, message: (error as Error).message });
  }
}

function pipe(from: Channel, to: Channel, onMessage: (data: unknown) => void, n: number): void {
  const queue: unknown[] = [];
  from.binaryType = 'arraybuffer';
  from.addEventListener('message', (event: MessageEvent) => {
    onMessage(event.data);
    if (to.readyState === 'connecting') queue.push(event.data);
    else sendIfOpen(to, event.data, n);
  });
  to.addEventListener('open', () => {
    for (const data of queue.splice(0)) sendIfOpen(to, data, n);
  });
}

function bridge(caller: DataConnection, via: string, target: string, dialer: PeerType): void {
  const n = ++bridgeCount;
  report({ event: 'incoming', bridge: n, via, from: caller.peer, target, metadata: caller.metadata, label: caller.label });
  const options = {
    serialization: 'raw',
    reliable: caller.reliable,
    metadata: caller.metadata,
    label: caller.label,
    // Not in PeerJS's types, but honoured: the same id keeps a stripe's `ferryStripeOf` valid.
    connectionId: caller.connectionId,
  } as PeerConnectOption;
  const callee = dialer.connect(target, options);
  const legs: Record<Side, DataConnection> = { caller, callee };
  const forwarded: Record<Side, number> = { caller: 0, callee: 0 };
  /** Messages from a leg, waiting for the other leg to open. */
  const waiting: Record<Side, unknown[]> = { caller: [], callee: [] };
  const open = new Set<Side>();
  let closed = false;

  const close = (by: string) => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    report({ event: 'closed', bridge: n, by, forwarded });
    caller.close();
    callee.close();
  };
  const timer = setTimeout(() => close('timeout'), DIAL_TIMEOUT_MS);

  const onOpen = (side: Side) => {
    open.add(side);
    const other: Side = side === 'caller' ? 'callee' : 'caller';
    for (const data of waiting[other].splice(0)) sendIfOpen(legs[side].dataChannel, data, n);
    if (open.size < 2) return;
    clearTimeout(timer);
    bridgeDataChannels(n, caller, callee);
    const fingerprints = (c: DataConnection) => ({
      peer: c.peer,
      local: sdpFingerprints(c.peerConnection.localDescription?.sdp ?? ''),
      remote: sdpFingerprints(c.peerConnection.remoteDescription?.sdp ?? ''),
    });
    report({ event: 'bridged', bridge: n, caller: fingerprints(caller), callee: fingerprints(callee) });
  };
  for (const side of ['caller', 'callee'] as const) {
    const leg = legs[side];
    const other: Side = side === 'caller' ? 'callee' : 'caller';
    // PeerJS's "data" (raw: the DataChannel's message as is) listens from the channel's creation
    // on, so nothing the victim sends at once is missed.
    leg.on('data', (data) => {
      const type = describe(data).type;
      if (type !== undefined && type === withheld) {
        report({ event: 'dropped', bridge: n, from: side, type });
        return;
      }
      forwarded[side]++;
      report({ event: 'forwarded', bridge: n, from: side, ...describe(data) });
      if (open.has(other)) sendIfOpen(legs[other].dataChannel, data, n);
      else waiting[side].push(data);
    });
    if (leg.open) onOpen(side);
    else leg.on('open', () => onOpen(side));
    leg.on('close', () => close(side));
    leg.on('error', (error) => {
      report({ event: 'error', bridge: n, side, message: error.message });
      close(side);
    });
  }
  pendingDials.set(callee, () => close('callee-unavailable'));
  callee.on('open', () => pendingDials.delete(callee));
  callee.on('close', () => pendingDials.delete(callee));
}

/** Ferry's pre-negotiated data channels (fixed stream ids) on both legs, piped both ways. */
function bridgeDataChannels(n: number, caller: DataConnection, callee: DataConnection): void {
  for (const [mode, { id, init }] of Object.entries(DATA_CHANNEL_SETUP)) {
    const a = caller.peerConnection.createDataChannel(`ferry-${mode}`, { ...init, negotiated: true, id });
    const b = callee.peerConnection.createDataChannel(`ferry-${mode}`, { ...init, negotiated: true, id });
    const onMessage = (from: Side) => (data: unknown) => report({ event: 'forwarded', bridge: n, from, channel: mode, ...describe(data) });
    pipe(a, b, onMessage('caller'), n);
    pipe(b, a, onMessage('callee'), n);
  }
}

for (const id of relayIds) {
  const peer = createNodePeer(signalingUrl, id);
  peers.set(id, peer);
  peer.on('open', () => {
    if ([...peers.values()].every((p) => p.open)) report({ event: 'ready', ids: relayIds });
  });
  peer.on('connection', (connection) => {
    const target = targets.get(id);
    const dialer = [...peers.entries()].find(([other]) => other !== id)?.[1];
    if (target === undefined || !dialer) {
      report({ event: 'refused', via: id, from: connection.peer });
      connection.close();
      return;
    }
    bridge(connection, id, target, dialer);
  });
  peer.on('error', (error) => {
    report({ event: 'error', via: id, type: String(error.type), message: error.message });
    if (String(error.type) !== 'peer-unavailable') return;
    const gone = /peer (\S+)$/.exec(error.message)?.[1];
    for (const [dial, end] of pendingDials) if (dial.peer === gone) end();
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; via?: string; target?: string; type?: unknown; seq?: number };
  if (command.cmd === 'target' && command.via && command.target && peers.has(command.via)) targets.set(command.via, command.target);
  else if (command.cmd === 'drop') withheld = typeof command.type === 'string' ? command.type : undefined;
  else report({ event: 'error', message: `bad command ${line}` });
  report({ event: 'ok', seq: command.seq });
});

process.on('SIGTERM', () => {
  for (const peer of peers.values()) peer.destroy();
  process.exit(0);
});
