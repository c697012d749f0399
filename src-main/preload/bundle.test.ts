import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ENGINE_PORT_CHANNEL, FERRY_CHANNELS, FERRY_EVENTS } from './channels.js';

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
    // The OS's paths behind Files, as Electron's webUtils would read them ('' for a page-made File).
    const pathsOfFiles = new Map<unknown, string>();
    const electron = {
      webUtils: { getPathForFile: (file: unknown) => pathsOfFiles.get(file) ?? '' },
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
    // Every call but grantPaths (the preload's own, never the page's), the events, the engine.
    const pageCalls = Object.keys(FERRY_CHANNELS).filter((m) => m !== 'grantPaths');
    expect(Object.keys(api ?? {}).sort()).toEqual([...pageCalls, ...Object.keys(FERRY_EVENTS), 'engine', 'grantFiles'].sort());
    await api?.getSignalingConfig?.();
    await api?.getDeviceInfo?.();
    await api?.writeClipboard?.('Desk');
    expect(invocations).toEqual([
      [FERRY_CHANNELS.getSignalingConfig],
      [FERRY_CHANNELS.getDeviceInfo],
      [FERRY_CHANNELS.writeClipboard, 'Desk'],
    ]);

    // Events: subscribing tells main the window listens; what main pushes reaches the listener.
    const codes: unknown[] = [];
    api?.onPairingLink?.((code: unknown) => codes.push(code));
    expect(invocations.at(-1)).toEqual([FERRY_CHANNELS.listenPairingLinks]);
    eventHandlers.get(FERRY_EVENTS.onPairingLink.channel)?.({}, '427-orbit-velvet');
    expect(codes).toEqual(['427-orbit-velvet']);

    // Files: a page-made File has no path and grants nothing; a picked folder's files grant the folder.
    const made = { name: 'x.txt', webkitRelativePath: '' };
    const picked = [
      { name: 'a.jpg', webkitRelativePath: 'Holiday/2026/a.jpg' },
      { name: 'b.jpg', webkitRelativePath: 'Holiday/b.jpg' },
    ];
    pathsOfFiles.set(picked[0], '/home/me/Holiday/2026/a.jpg');
    pathsOfFiles.set(picked[1], '/home/me/Holiday/b.jpg');
    const before = invocations.length;
    expect(await api?.grantFiles?.([made])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(invocations.length).toBe(before);
    await api?.grantFiles?.(picked);
    expect(invocations.at(-1)).toEqual([FERRY_CHANNELS.grantPaths, ['/home/me/Holiday']]);

    // The engine's port: what the page posts before main's port arrives waits for it.
    const engine = api?.engine as unknown as { post(m: unknown): void; onMessage(l: (m: unknown) => void): () => void };
    const heard: unknown[] = [];
    engine.onMessage((m) => heard.push(m));
    engine.post({ t: 'req', id: 1, name: 'hello', args: [] });
    const posted: unknown[] = [];
    const port = { postMessage: (m: unknown) => posted.push(m), onmessage: null as null | ((e: { data: unknown }) => void), start: () => {}, close: () => {} };
    eventHandlers.get(ENGINE_PORT_CHANNEL)?.({ ports: [port] });
    expect(posted).toEqual([{ t: 'req', id: 1, name: 'hello', args: [] }]);
    port.onmessage?.({ data: { t: 'note', name: 'snapshot', value: {} } });
    expect(heard).toEqual([{ t: 'note', name: 'snapshot', value: {} }]);
  });
});
