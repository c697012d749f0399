import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingPlatform } from '../desktop/recording-platform.js';
import { SettingsStore } from '../settings/store.js';
import { IdentityStore } from '../identity/identity-store.js';
import { createSenderCheck } from '../security/trusted-sender.js';
import { createMainServices } from '../services.js';
import { PairingLinkOutbox } from '../deep-link/pairing-link-outbox.js';
import { createIpcDispatcher, type IpcCaller } from './dispatcher.js';

const RENDERER = 'file:///opt/Ferry/resources/app.asar/out/renderer/index.html';
const app: IpcCaller = { frameUrl: RENDERER, isMainFrame: true };

async function setup(pairingLinks?: PairingLinkOutbox) {
  const errors: unknown[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'ferry-dispatcher-'));
  cleanup.push(dir);
  const settings = await SettingsStore.open({ file: join(dir, 'settings.json'), defaultDeviceName: 'Laptop' });
  const desktop = new RecordingPlatform();
  const services = createMainServices({
    settings,
    appVersion: '1.2.3',
    platform: 'linux',
    desktop,
    signalingConfig: async () => ({ url: 'http://127.0.0.1:9000/', key: 'peerjs', iceServers: [], embedded: true }),
    defaultDownloadDir: join(dir, 'Downloads'),
    identity: await IdentityStore.open({ file: join(dir, 'identity.json') }),
    ...(pairingLinks ? { pairingLinks } : {}),
  });
  const dispatch = createIpcDispatcher(
    services,
    createSenderCheck(RENDERER),
    (_method, error) => errors.push(error),
  );
  return { dispatch, errors, services, desktop, dir };
}

const cleanup: string[] = [];
afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('IPC dispatcher', () => {
  it('answers a valid call from the app window', async () => {
    const { dispatch } = await setup();
    expect(await dispatch('getDeviceInfo', app, [])).toEqual({
      ok: true,
      value: { name: 'Laptop', kind: 'desktop', appVersion: '1.2.3', platform: 'linux' },
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
    const { dispatch } = await setup();
    expect(await dispatch('getDeviceInfo', caller, [])).toMatchObject({ ok: false, error: { code: 'UNTRUSTED_SENDER' } });
  });

  it('accepts any page of the dev server origin, and only that origin', () => {
    const check = createSenderCheck('http://localhost:5173/');
    expect(check({ frameUrl: 'http://localhost:5173/index.html', isMainFrame: true })).toBe(true);
    expect(check({ frameUrl: 'http://localhost:5174/', isMainFrame: true })).toBe(false);
  });

  it.each([
    ['a number', 'writeClipboard', [42], /expected string/i],
    ['a huge text', 'writeClipboard', ['x'.repeat(100_001)], /.+/],
    ['an empty path', 'showInFolder', [''], /.+/],
    ['a relative path to grant', 'grantPaths', [['notes.txt']], /absolute path/],
    ['too many arguments', 'showInFolder', ['a', 'b'], /.+/],
    ['no argument', 'writeClipboard', [], /.+/],
  ])('rejects %s with a clear error', async (_name, method, args, message) => {
    const { dispatch } = await setup();
    const result = await dispatch(method, app, args);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(!result.ok && result.error.message).toMatch(message);
  });

  it('refuses unknown methods, including prototype names', async () => {
    const { dispatch } = await setup();
    for (const method of ['deleteEverything', 'constructor', '__proto__', 'toString']) {
      expect(await dispatch(method, app, [])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('turns a failing handler into an error result and reports it', async () => {
    const errors: unknown[] = [];
    const dispatch = createIpcDispatcher(
      {
        ...(await setup()).services,
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

  it('picks the download folder with the OS dialog and saves it; a cancelled pick changes nothing', async () => {
    const { dispatch, desktop, dir, services } = await setup();
    expect(services.getDownloadDir()).toBe(join(dir, 'Downloads'));
    expect(await dispatch('chooseDownloadDir', app, [])).toEqual({ ok: true, value: null });
    desktop.nextFolder = join(dir, 'Inbox');
    expect(await dispatch('chooseDownloadDir', app, [])).toMatchObject({ ok: true, value: { ok: true, settings: { downloadDir: join(dir, 'Inbox') } } });
    expect(services.getDownloadDir()).toBe(join(dir, 'Inbox'));
  });

  it('reveals only files Ferry saved', async () => {
    const { dispatch, desktop, services } = await setup();
    expect(await dispatch('showInFolder', app, ['/etc/passwd'])).toMatchObject({ ok: false, error: { code: 'FAILED', message: expect.stringMatching(/did not save/) } });
    expect(desktop.events.filter((e) => e.type === 'show-in-folder')).toEqual([]);
    services.downloads.savedPaths.add('/home/me/Downloads/report.pdf');
    expect(await dispatch('showInFolder', app, ['/home/me/Downloads/report.pdf'])).toEqual({ ok: true, value: null });
    expect(desktop.events).toEqual([{ type: 'show-in-folder', path: '/home/me/Downloads/report.pdf' }]);
  });

  it('the window cannot reach what only the engine may ask: settings, signatures, the desktop', async () => {
    const { dispatch } = await setup();
    for (const method of ['signSession', 'updateSettings', 'getSettings', 'getIdentity', 'notify', 'setProgress', 'checkSpace', 'getIceServers']) {
      expect(await dispatch(method, app, [])).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('hands a kept pairing link to the app window only, once', async () => {
    const links = new PairingLinkOutbox();
    links.offer('427-orbit-velvet');
    const { dispatch } = await setup(links);
    expect(await dispatch('listenPairingLinks', { frameUrl: 'https://evil.example/', isMainFrame: true }, [])).toMatchObject({ ok: false, error: { code: 'UNTRUSTED_SENDER' } });
    expect(await dispatch('listenPairingLinks', app, ['more'])).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await dispatch('listenPairingLinks', app, [])).toEqual({ ok: true, value: '427-orbit-velvet' });
    expect(await dispatch('listenPairingLinks', app, [])).toEqual({ ok: true, value: null });
  });
});
