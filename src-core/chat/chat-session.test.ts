import { describe, expect, it } from 'vitest';
import { ManualRuntime } from '../testing/manual-runtime.js';
import { encodeUtf8 } from '../utf8.js';
import { encodeFrame, FrameKind } from '../wire/frame.js';
import { decodeControl } from '../wire/control.js';
import { ChatSession, type ChatEvent, HEARTBEAT_INTERVAL_MS, LIVENESS_TIMEOUT_MS } from './chat-session.js';

const typesOf = (frames: Uint8Array[]) => frames.map((f) => decodeControl(f.subarray(1)).type);

/** Two sessions joined by an in-memory, ordered channel that delivers only when flushed. */
function pair() {
  const runtime = new ManualRuntime();
  const wires = { aToB: [] as Uint8Array[], bToA: [] as Uint8Array[] };
  const events = { a: [] as ChatEvent[], b: [] as ChatEvent[] };
  const a = new ChatSession({
    runtime,
    deviceName: 'Alice',
    deviceKind: 'desktop',
    send: (f) => wires.aToB.push(f),
    onEvent: (e) => events.a.push(e),
  });
  const b = new ChatSession({
    runtime,
    deviceName: 'Bob',
    send: (f) => wires.bToA.push(f),
    onEvent: (e) => events.b.push(e),
  });
  const flush = () => {
    while (wires.aToB.length || wires.bToA.length) {
      for (const f of wires.aToB.splice(0)) b.receive(f);
      for (const f of wires.bToA.splice(0)) a.receive(f);
    }
  };
  return { runtime, a, b, wires, events, flush };
}

describe('ChatSession', () => {
  it('opens after both hellos and names the peer', () => {
    const { a, b, events, flush } = pair();
    a.start();
    b.start();
    flush();
    expect(a.state).toBe('open');
    expect(b.state).toBe('open');
    // Bob says no kind (an older build): that is allowed, and shown as unknown.
    expect(events.a).toEqual([{ type: 'opened', peerDeviceName: 'Bob', peerDeviceKind: undefined, protocolVersion: 1 }]);
    expect(events.b).toEqual([{ type: 'opened', peerDeviceName: 'Alice', peerDeviceKind: 'desktop', protocolVersion: 1 }]);
  });

  it('a kind of device this build does not know (a newer one) opens the session and shows as unknown; a long one is refused', () => {
    const { a, events } = pair();
    a.start();
    a.receive(encodeFrame(FrameKind.control, encodeUtf8('{"type":"hello","protocol":"ferry","versions":[1],"deviceName":"T","deviceKind":"toaster","seen":false}')));
    expect(events.a.at(-1)).toEqual({ type: 'opened', peerDeviceName: 'T', peerDeviceKind: undefined, protocolVersion: 1 });
    const other = pair();
    other.a.start();
    other.a.receive(encodeFrame(FrameKind.control, encodeUtf8(`{"type":"hello","protocol":"ferry","versions":[1],"deviceName":"T","deviceKind":"${'x'.repeat(33)}","seen":false}`)));
    const last = other.events.a.at(-1);
    expect(last?.type === 'closed' && last.error?.code).toBe('CONTROL_INVALID_MESSAGE');
  });

  it('answers a hello that arrives before start()', () => {
    const { a, b, flush } = pair();
    a.start();
    flush();
    expect(b.state).toBe('open');
    expect(a.state).toBe('open');
  });

  it('delivers a text and reports the acknowledgement', () => {
    const { a, b, events, flush, runtime } = pair();
    a.start();
    b.start();
    flush();
    runtime.advance(250);
    const sent = a.sendText('hello Bob');
    flush();
    expect(events.b.at(-1)).toEqual({
      type: 'text-received',
      id: sent.id,
      body: 'hello Bob',
      sentAt: sent.sentAt,
      receivedAt: runtime.now(),
    });
    expect(events.a.at(-1)).toEqual({ type: 'text-delivered', id: sent.id });
  });

  it('refuses to send before the session is open, and empty or oversized texts', () => {
    const { a, b, flush } = pair();
    expect(() => a.sendText('x')).toThrow(/not open/);
    a.start();
    b.start();
    flush();
    expect(() => a.sendText('')).toThrow(/empty/);
    expect(() => a.sendText('x'.repeat(10_001))).toThrow(/limited to 10000/);
  });

  it('fails pending texts when the channel closes', () => {
    const { a, b, events, flush, wires } = pair();
    a.start();
    b.start();
    flush();
    const sent = a.sendText('lost');
    wires.aToB.length = 0; // the frame never arrives
    a.channelClosed();
    expect(events.a.slice(-2)).toEqual([
      { type: 'text-failed', id: sent.id, reason: 'CHANNEL_CLOSED' },
      { type: 'closed' },
    ]);
  });

  it('closes with an error frame when the peer sends garbage', () => {
    const { a, b, events, wires, flush } = pair();
    a.start();
    b.start();
    flush();
    a.receive(Uint8Array.of(0x01, 0x7b));
    expect(a.state).toBe('closed');
    const last = events.a.at(-1);
    expect(last?.type).toBe('closed');
    expect(last?.type === 'closed' && last.error?.code).toBe('CONTROL_INVALID_JSON');
    const errorFrame = wires.aToB.at(-1);
    expect(errorFrame && decodeControl(errorFrame.subarray(1))).toMatchObject({
      type: 'error',
      code: 'CONTROL_INVALID_JSON',
    });
    // The peer learns why.
    flush();
    const bLast = events.b.at(-1);
    expect(bLast?.type === 'closed' && bLast.error?.message).toMatch(/CONTROL_INVALID_JSON/);
  });

  it('rejects a text before hello', () => {
    const { a, events } = pair();
    a.start();
    a.receive(encodeFrame(FrameKind.control, encodeUtf8('{"type":"text","id":"x","body":"b","sentAt":1}')));
    const last = events.a.at(-1);
    expect(last?.type === 'closed' && last.error?.code).toBe('PROTOCOL_HELLO_EXPECTED');
  });

  it('refuses a peer with no common protocol version', () => {
    const { a, events } = pair();
    a.start();
    a.receive(
      encodeFrame(
        FrameKind.control,
        encodeUtf8('{"type":"hello","protocol":"ferry","versions":[7,8],"deviceName":"Future","seen":false}'),
      ),
    );
    const last = events.a.at(-1);
    expect(last?.type === 'closed' && last.error?.code).toBe('PROTOCOL_VERSION_UNSUPPORTED');
  });

  it('repeats its hello until the peer answers, when the first one is lost', () => {
    const { a, b, wires, flush, runtime } = pair();
    a.start();
    wires.aToB.length = 0; // Alice's first hello vanishes
    b.start();
    flush();
    expect(a.state).toBe('open');
    expect(b.state).toBe('open'); // Alice answered Bob's unseen hello with hers
    // Nothing but the heartbeat is sent once both are open: no hello ping-pong.
    runtime.advance(5000);
    expect(new Set([...typesOf(wires.aToB), ...typesOf(wires.bToA)])).toEqual(new Set(['ping']));
  });

  it('recovers when both first hellos are lost', () => {
    const { a, b, wires, flush, runtime } = pair();
    a.start();
    b.start();
    wires.aToB.length = 0;
    wires.bToA.length = 0;
    runtime.advance(400);
    flush();
    expect([a.state, b.state]).toEqual(['open', 'open']);
    runtime.advance(5000);
    expect(new Set([...typesOf(wires.aToB), ...typesOf(wires.bToA)])).toEqual(new Set(['ping']));
  });

  it('liveness: two open sides that hear each other stay open; a side that goes silent is closed within the timeout, in words', () => {
    const { a, b, flush, runtime, events, wires } = pair();
    a.start();
    b.start();
    flush();
    for (let t = 0; t < 60_000; t += 500) {
      runtime.advance(500);
      flush();
    }
    expect([a.state, b.state]).toEqual(['open', 'open']);
    const text = a.sendText('anyone there?');
    // Bob's process dies: nothing from him any more.
    const openedAt = runtime.now();
    wires.aToB.length = 0;
    while (a.state === 'open') {
      runtime.advance(100);
      wires.aToB.length = 0;
    }
    const noticedAfter = runtime.now() - openedAt;
    expect(noticedAfter).toBeGreaterThanOrEqual(LIVENESS_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS);
    expect(noticedAfter).toBeLessThanOrEqual(LIVENESS_TIMEOUT_MS + HEARTBEAT_INTERVAL_MS);
    expect(events.a).toContainEqual({ type: 'text-failed', id: text.id, reason: 'CHANNEL_CLOSED' });
    const closed = events.a.at(-1);
    expect(closed?.type === 'closed' && closed.error).toMatchObject({ code: 'CHANNEL_CLOSED', message: expect.stringMatching(/stopped answering/) });
    b.channelClosed();
    expect(runtime.pendingTimers).toBe(0);
  });

  it('liveness: what the session is told it heard elsewhere (data frames) keeps it open', () => {
    const { a, b, flush, runtime } = pair();
    a.start();
    b.start();
    flush();
    for (let t = 0; t < 30_000; t += 500) {
      runtime.advance(500);
      a.heard(); // Bob's pings are stuck behind data; his data frames arrive
    }
    expect(a.state).toBe('open');
  });

  it('gives up with a clear error when the peer never answers', () => {
    const { a, events, runtime, wires } = pair();
    a.start();
    runtime.advance(60_000);
    expect(a.state).toBe('closed');
    expect(wires.aToB.length).toBe(50);
    const last = events.a.at(-1);
    expect(last?.type === 'closed' && last.error?.message).toMatch(/did not answer/);
    expect(runtime.pendingTimers).toBe(0);
  });

  it('refuses a second hello that says something else', () => {
    const { a, b, flush, events } = pair();
    a.start();
    b.start();
    flush();
    a.receive(encodeFrame(FrameKind.control, encodeUtf8('{"type":"hello","protocol":"ferry","versions":[1],"deviceName":"Mallory","seen":true}')));
    const last = events.a.at(-1);
    expect(last?.type === 'closed' && last.error?.message).toMatch(/second, different hello/);
  });

  it('ignores frames after closing', () => {
    const { a, b, events, flush } = pair();
    a.start();
    b.start();
    flush();
    a.channelClosed();
    const before = events.a.length;
    a.receive(Uint8Array.of(0xff));
    expect(events.a.length).toBe(before);
  });
});
