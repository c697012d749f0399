import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryChannelPair, type MemoryChannel } from '../testing/memory-channel.js';
import { createHashWasmHasherFactory } from '../transfer/hash-wasm-hasher.js';
import type { HasherFactory } from '../transfer/hasher.js';
import { DELIVERY_MODES, type DeliveryMode, decodeControl, encodeControl } from '../wire/control.js';
import { PeerSession } from './peer-session.js';
import { realTimeRuntime } from '../testing/real-time-runtime.js';

const runtime = realTimeRuntime;
let hasher: HasherFactory;
beforeAll(async () => {
  hasher = await createHashWasmHasherFactory();
});

/** A session that authenticates, and the far end of its control channel (a raw peer). */
function sessionWithRawPeer() {
  const [control, peerControl] = createMemoryChannelPair({ runtime, bytesPerMs: 20_000 });
  const data = {} as Record<DeliveryMode, MemoryChannel>;
  for (const mode of DELIVERY_MODES) data[mode] = createMemoryChannelPair({ runtime, bytesPerMs: 20_000 })[0];
  const events: string[] = [];
  const session = new PeerSession({
    runtime,
    deviceName: 'Bob',
    createHasher: hasher,
    channels: { control, data },
    onChatEvent: (event) => events.push(event.type),
    onIncoming: (_offer, decision) => decision.decline(),
    onAuthMessage: () => {},
  });
  const heard: Array<{ type: string; code?: string }> = [];
  peerControl.onMessage((frame) => heard.push(decodeControl(frame.subarray(1)) as { type: string; code?: string }));
  const send = (message: Record<string, unknown>) => peerControl.send(encodeControl(message as Parameters<typeof encodeControl>[0]));
  return { session, events, heard, send };
}

const offer = { type: 'offer', transferId: 1, mode: 'reliable-ordered', chunkSize: 16_384, digest: 'xxh128', blockChunks: 64, totalEntries: 1, totalBytes: 10, entries: [{ kind: 'file', path: 'a.txt', size: 10, mtime: 0 }] };
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('PeerSession before authentication (SPEC.md, "Session authentication messages")', () => {
  it('ends the session with AUTH_FAILED when a transfer message comes before the peer proved its key', async () => {
    const { session, heard, send } = sessionWithRawPeer();
    session.start();
    send({ type: 'hello', protocol: 'ferry', versions: [1], deviceName: 'Mallory', seen: false });
    await settle();
    send(offer);
    await settle();
    expect(heard.filter((m) => m.type === 'error')).toMatchObject([{ code: 'AUTH_FAILED' }]);
  });

  it('after this side sent auth-fail, an offer that crossed it is ignored: the peer hears one closing message', async () => {
    const { session, heard, send, events } = sessionWithRawPeer();
    session.start();
    send({ type: 'hello', protocol: 'ferry', versions: [1], deviceName: 'Mallory', seen: false });
    await settle();
    session.refusedAuthentication();
    send(offer);
    await settle();
    expect(heard.filter((m) => m.type === 'error')).toEqual([]);
    expect(events).not.toContain('closed');
  });
});
