import { describe, expect, it } from 'vitest';
import type { IpcResult } from './api.js';
import { eventSubscription, isPairingCode } from './event-subscription.js';

function setup(before: IpcResult<string | null> = { ok: true, value: null }) {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  let listenCalls = 0;
  const subscribe = eventSubscription(
    { on: (channel, handler) => handlers.set(channel, handler) },
    'ferry:event:pairing-link',
    async () => (listenCalls++, before),
    isPairingCode,
  );
  const emit = (value: unknown) => handlers.get('ferry:event:pairing-link')?.({ sender: 'electron event' }, value);
  return { subscribe, emit, listenCalls: () => listenCalls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('a main → window event subscription', () => {
  it('tells main it listens on the first subscription only, and delivers what main kept', async () => {
    const { subscribe, listenCalls } = setup({ ok: true, value: '427-orbit-velvet' });
    expect(listenCalls()).toBe(0);
    const seen: string[] = [];
    const off = subscribe((code) => seen.push(code));
    subscribe(() => {})();
    await settle();
    expect(listenCalls()).toBe(1);
    expect(seen).toEqual(['427-orbit-velvet']);
    off();
  });

  it('delivers pushed events, only valid ones, and never the Electron event object', async () => {
    const { subscribe, emit } = setup();
    const seen: unknown[][] = [];
    subscribe((...args: unknown[]) => seen.push(args));
    await settle();
    emit('427-orbit-velvet');
    for (const hostile of [undefined, null, 42, { code: '427-orbit-velvet' }, '427-orbit-velvet<img>', 'x'.repeat(100), '../..']) emit(hostile);
    expect(seen).toEqual([['427-orbit-velvet']]);
  });

  it('keeps the latest event that comes while nobody listens, for the next subscriber', async () => {
    const { subscribe, emit } = setup();
    const first: string[] = [];
    // React's StrictMode: subscribe, unsubscribe, subscribe.
    subscribe((code) => first.push(code))();
    await settle();
    emit('427-orbit-velvet');
    emit('512-zoo-abandon');
    const second: string[] = [];
    const off = subscribe((code) => second.push(code));
    expect(first).toEqual([]);
    expect(second).toEqual(['512-zoo-abandon']);
    off();
    const third: string[] = [];
    subscribe((code) => third.push(code));
    expect(third).toEqual([]);
  });

  it('shows nothing when main answers with an error or fails', async () => {
    const { subscribe } = setup({ ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'no' } });
    const seen: string[] = [];
    subscribe((code) => seen.push(code));
    await settle();
    expect(seen).toEqual([]);
  });
});
