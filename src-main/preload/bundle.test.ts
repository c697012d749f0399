import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FERRY_CHANNELS, FERRY_EVENTS } from './channels.js';

/*
 * A sandboxed preload runs as a CommonJS script whose `require` knows only `electron` (and a few
 * web-safe modules). Evaluate the built bundle under exactly that constraint.
 */
const BUNDLE = fileURLToPath(new URL('../../out/preload/index.cjs', import.meta.url));

describe('the built preload bundle', () => {
  it('is one CommonJS file that requires nothing but electron and exposes one function per message', async () => {
    let code: string;
    try {
      code = readFileSync(BUNDLE, 'utf8');
    } catch {
      throw new Error('out/preload/index.cjs is missing: run `npm run build` first (npm test does).');
    }
    const required: string[] = [];
    const exposed = new Map<string, Record<string, (...args: unknown[]) => unknown>>();
    const invocations: unknown[][] = [];
    const eventHandlers = new Map<string, (event: unknown, ...args: unknown[]) => void>();
    const electron = {
      contextBridge: { exposeInMainWorld: (name: string, api: Record<string, (...a: unknown[]) => unknown>) => exposed.set(name, api) },
      ipcRenderer: {
        invoke: (...args: unknown[]) => (invocations.push(args), Promise.resolve({ ok: true, value: null })),
        on: (channel: string, handler: (event: unknown, ...args: unknown[]) => void) => eventHandlers.set(channel, handler),
      },
    };
    const sandboxRequire = (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require "${id}"`);
    };
    const module = { exports: {} };
    vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console });

    expect(required).toEqual(['electron']);
    const api = exposed.get('ferry');
    expect(Object.keys(api ?? {}).sort()).toEqual([...Object.keys(FERRY_CHANNELS), ...Object.keys(FERRY_EVENTS)].sort());
    await api?.getSignalingConfig?.();
    await api?.getDeviceInfo?.();
    await api?.setDeviceName?.('Desk');
    expect(invocations).toEqual([
      [FERRY_CHANNELS.getSignalingConfig],
      [FERRY_CHANNELS.getDeviceInfo],
      [FERRY_CHANNELS.setDeviceName, 'Desk'],
    ]);

    // Events: subscribing tells main the window listens; what main pushes reaches the listener.
    const codes: unknown[] = [];
    api?.onPairingLink?.((code: unknown) => codes.push(code));
    expect(invocations.at(-1)).toEqual([FERRY_CHANNELS.listenPairingLinks]);
    eventHandlers.get(FERRY_EVENTS.onPairingLink.channel)?.({}, '427-orbit-velvet');
    expect(codes).toEqual(['427-orbit-velvet']);
  });
});
