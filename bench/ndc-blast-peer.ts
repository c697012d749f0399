/*
 * One side of the raw node-datachannel blast (bench/ndc-ceiling.ts drives two of them, one per
 * lab host): plain node-datachannel polyfill RTCPeerConnections — the classes the engine's
 * PeerJS runs on — each with one pre-negotiated reliable, ordered channel (Ferry's
 * reliable-ordered stream id), no PeerJS and no signaling server: the bench carries the offers and
 * answers (ICE gathered in full, no trickle). The sender sends frames of Ferry's size with
 * Ferry's buffer marks; the receiver counts bytes. Nothing else: no file, no hashing, no framing.
 *
 * JSON lines on stdin, JSON lines on stdout:
 *   { cmd: 'offer', connections }           → { event: 'offers', sdps }            (sender)
 *   { cmd: 'answer', sdps }                 → { event: 'answers', sdps }           (receiver)
 *   { cmd: 'answers', sdps }                → { event: 'applied' } (to the connections offered last)
 *   both, once every channel so far is open → { event: 'open', connections }
 *   { cmd: 'expect', bytes }                → { event: 'received', bytes, ms }     (receiver)
 *   { cmd: 'blast', bytes, frame, high, low } → { event: 'sent', bytes, ms }      (sender)
 *   { cmd: 'cpu' }                          → { event: 'cpu', seconds }            (own process.cpuUsage)
 *   { cmd: 'close' }                        → closes everything, exits
 *   node --import tsx bench/ndc-blast-peer.ts
 */
import { createInterface } from 'node:readline';
import { RTCPeerConnection } from 'node-datachannel/polyfill';
import { DATA_CHANNEL_SETUP } from '../src-core/index.js';

type Pc = InstanceType<typeof RTCPeerConnection>;
type Dc = ReturnType<Pc['createDataChannel']>;

const pcs: Pc[] = [];
const channels: Dc[] = [];

function report(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** A connection with Ferry's reliable-ordered channel, pre-negotiated (both sides create it). */
function connection(): { pc: Pc; open: Promise<void> } {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const { id, init } = DATA_CHANNEL_SETUP['reliable-ordered'];
  const dc = pc.createDataChannel('blast', { ...init, negotiated: true, id });
  dc.binaryType = 'arraybuffer';
  pcs.push(pc);
  channels.push(dc);
  const open = new Promise<void>((resolve) => (dc.readyState === 'open' ? resolve() : dc.addEventListener('open', () => resolve(), { once: true })));
  return { pc, open };
}

async function gathered(pc: Pc): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => {
      const check = () => pc.iceGatheringState === 'complete' && resolve();
      pc.addEventListener('icegatheringstatechange', check);
      check();
    });
  }
  return pc.localDescription?.sdp ?? '';
}

const opened: Promise<void>[] = [];

function reportOpenWhenReady(): void {
  void Promise.all(opened).then(() => report({ event: 'open', connections: channels.length }));
}

async function offer(count: number): Promise<void> {
  const sdps: string[] = [];
  for (let i = 0; i < count; i++) {
    const { pc, open } = connection();
    opened.push(open);
    // The polyfill negotiates by itself once a channel exists: createOffer answers the offer it
    // made. Setting it again (as a browser would) makes libdatachannel renegotiate, which now and
    // then lost the ICE transport under load ("remote candidate without ICE transport").
    await pc.createOffer();
    sdps.push(await gathered(pc));
  }
  report({ event: 'offers', sdps });
}

async function answer(offers: string[]): Promise<void> {
  const sdps: string[] = [];
  for (const sdp of offers) {
    const { pc, open } = connection();
    opened.push(open);
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.createAnswer();
    sdps.push(await gathered(pc));
  }
  report({ event: 'answers', sdps });
  reportOpenWhenReady();
}

/** Answers for the connections offered last, in order. */
async function applyAnswers(answers: string[]): Promise<void> {
  const offered = pcs.slice(pcs.length - answers.length);
  for (const [i, sdp] of answers.entries()) {
    const pc = offered[i] as Pc;
    const state = `${pc.connectionState}/${pc.iceConnectionState}/${pc.signalingState}/${pc.iceGatheringState}`;
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (error) {
      throw new Error(`${(error as Error).message} (connection ${pcs.indexOf(pc) + 1} of ${pcs.length}, state ${state})`, { cause: error });
    }
  }
  report({ event: 'applied', answers: answers.length });
  reportOpenWhenReady();
}

function expect(total: number): void {
  let count = 0;
  let started = 0;
  for (const dc of channels) {
    dc.addEventListener('message', (event) => {
      const bytes = ((event as MessageEvent).data as ArrayBuffer).byteLength;
      if (count === 0) started = performance.now();
      count += bytes;
      if (count >= total && count - bytes < total) {
        report({ event: 'received', bytes: count, ms: Math.round(performance.now() - started) });
      }
    });
  }
  report({ event: 'expecting', bytes: total });
}

/**
 * As Ferry's TransferEndpoint sends: each frame on the open channel with the least buffered under
 * the high-water mark, resuming on bufferedamountlow; with one connection, one channel.
 */
function blast(total: number, frameBytes: number, high: number, low: number): void {
  const frame = new ArrayBuffer(frameBytes);
  new Uint8Array(frame).fill(0xa5);
  const last = total % frameBytes === 0 ? frame : frame.slice(0, total % frameBytes);
  let sent = 0;
  const started = performance.now();
  let done = false;
  const pick = (): Dc | undefined => {
    let best: Dc | undefined;
    for (const dc of channels) {
      if (dc.readyState !== 'open' || dc.bufferedAmount >= high) continue;
      if (!best || dc.bufferedAmount < best.bufferedAmount) best = dc;
    }
    return best;
  };
  const pump = () => {
    for (let dc = pick(); dc && sent < total; dc = pick()) {
      const message = total - sent >= frameBytes ? frame : last;
      dc.send(message);
      sent += message.byteLength;
    }
    if (sent >= total && !done) {
      done = true;
      report({ event: 'sent', bytes: sent, ms: Math.round(performance.now() - started) });
    }
  };
  for (const dc of channels) {
    dc.bufferedAmountLowThreshold = low;
    dc.addEventListener('bufferedamountlow', pump);
  }
  pump();
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; connections?: number; sdps?: string[]; bytes?: number; frame?: number; high?: number; low?: number };
  const fail = (error: unknown) => report({ event: 'error', cmd: command.cmd, message: (error as Error).message });
  try {
    switch (command.cmd) {
      case 'offer':
        offer(command.connections ?? 1).catch(fail);
        break;
      case 'answer':
        answer(command.sdps ?? []).catch(fail);
        break;
      case 'answers':
        applyAnswers(command.sdps ?? []).catch(fail);
        break;
      case 'expect':
        expect(command.bytes ?? 0);
        break;
      case 'blast':
        blast(command.bytes ?? 0, command.frame ?? 65_553, command.high ?? 1024 * 1024, command.low ?? 256 * 1024);
        break;
      case 'cpu':
        report({ event: 'cpu', seconds: cpuSeconds() });
        break;
      case 'close':
        for (const pc of pcs) pc.close();
        setTimeout(() => process.exit(0), 200);
        break;
      default:
        report({ event: 'error', cmd: command.cmd, message: 'unknown command' });
    }
  } catch (error) {
    fail(error);
  }
});
process.on('SIGTERM', () => {
  for (const pc of pcs) pc.close();
  process.exit(0);
});
report({ event: 'ready', pid: process.pid });
