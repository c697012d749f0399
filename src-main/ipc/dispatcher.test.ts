import { describe, expect, it } from 'vitest';
import { createSenderCheck } from '../security/trusted-sender.js';
import { createMainServices } from '../services.js';
import { createIpcDispatcher, type IpcCaller } from './dispatcher.js';

const RENDERER = 'file:///opt/Ferry/resources/app.asar/out/renderer/index.html';
const app: IpcCaller = { frameUrl: RENDERER, isMainFrame: true };

function setup() {
  const errors: unknown[] = [];
  const services = createMainServices({
    deviceName: 'Laptop',
    appVersion: '1.2.3',
    platform: 'linux',
    signalingConfig: async () => ({ url: 'http://127.0.0.1:9000/', key: 'peerjs', iceServers: [], embedded: true }),
    downloadDir: () => '/nonexistent',
  });
  const dispatch = createIpcDispatcher(
    services,
    createSenderCheck(RENDERER),
    (_method, error) => errors.push(error),
  );
  return { dispatch, errors, services };
}

describe('IPC dispatcher', () => {
  it('answers a valid call from the app window', async () => {
    const { dispatch } = setup();
    expect(await dispatch('getDeviceInfo', app, [])).toEqual({
      ok: true,
      value: { name: 'Laptop', appVersion: '1.2.3', platform: 'linux' },
    });
    expect(await dispatch('setDeviceName', app, ['  Studio Mac  '])).toEqual({
      ok: true,
      value: { name: 'Studio Mac', appVersion: '1.2.3', platform: 'linux' },
    });
    expect(await dispatch('getSignalingConfig', app, [])).toMatchObject({ ok: true, value: { embedded: true } });
  });

  it.each([
    ['an iframe', { frameUrl: RENDERER, isMainFrame: false }],
    ['a web page', { frameUrl: 'https://evil.example/index.html', isMainFrame: true }],
    ['another local file', { frameUrl: 'file:///tmp/evil.html', isMainFrame: true }],
    ['an unknown frame', { frameUrl: undefined, isMainFrame: true }],
    ['a garbage URL', { frameUrl: 'not a url', isMainFrame: true }],
  ])('refuses %s', async (_name, caller) => {
    const { dispatch } = setup();
    expect(await dispatch('getDeviceInfo', caller, [])).toMatchObject({ ok: false, error: { code: 'UNTRUSTED_SENDER' } });
  });

  it('accepts any page of the dev server origin, and only that origin', () => {
    const check = createSenderCheck('http://localhost:5173/');
    expect(check({ frameUrl: 'http://localhost:5173/index.html', isMainFrame: true })).toBe(true);
    expect(check({ frameUrl: 'http://localhost:5174/', isMainFrame: true })).toBe(false);
  });

  it.each([
    ['a number', [42], /expected string/i],
    ['an empty name', ['   '], /cannot be empty/],
    ['a long name', ['x'.repeat(65)], /at most 64/],
    ['control characters', ['evil\u0007name'], /control or invisible/],
    ['a right-to-left override', ['abc\u202Egpj.exe'], /control or invisible/],
    ['too many arguments', ['a', 'b'], /.+/],
    ['no argument', [], /.+/],
  ])('rejects %s with a clear error', async (_name, args, message) => {
    const { dispatch } = setup();
    const result = await dispatch('setDeviceName', app, args);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(!result.ok && result.error.message).toMatch(message);
  });

  it('refuses unknown methods, including prototype names', async () => {
    const { dispatch } = setup();
    for (const method of ['deleteEverything', 'constructor', '__proto__', 'toString']) {
      expect(await dispatch(method, app, [])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('turns a failing handler into an error result and reports it', async () => {
    const errors: unknown[] = [];
    const dispatch = createIpcDispatcher(
      {
        ...setup().services,
        getSignalingConfig: async () => {
          throw new Error('server did not start');
        },
      },
      createSenderCheck(RENDERER),
      (_m, e) => errors.push(e),
    );
    expect(await dispatch('getSignalingConfig', app, [])).toEqual({
      ok: false,
      error: { code: 'FAILED', message: 'getSignalingConfig failed: server did not start' },
    });
    expect(errors).toHaveLength(1);
  });
});
