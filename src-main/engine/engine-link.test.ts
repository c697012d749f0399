import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64, sessionTranscript, verifySessionSignature } from '../../src-core/index.js';
import type { EngineStart } from '../../src-engine/index.js';
import { READY_NOTE, SETTINGS_NOTE, START_NOTE } from '../../src-engine/remote/device-protocol.js';
import { handler, RpcPeer } from '../../src-engine/remote/rpc.js';
import { portPair } from '../../src-engine/remote/testing/port-pair.js';
import { z } from 'zod';
import { RecordingPlatform } from '../desktop/recording-platform.js';
import { IdentityStore } from '../identity/identity-store.js';
import { createSenderCheck } from '../security/trusted-sender.js';
import { createMainServices } from '../services.js';
import { SettingsStore } from '../settings/store.js';
import { createIpcDispatcher } from '../ipc/dispatcher.js';
import { linkEngine } from './engine-link.js';

const RENDERER = 'file:///opt/Ferry/resources/app.asar/out/renderer/index.html';
const cleanup: string[] = [];
afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Main's real services linked to a stand-in engine process over a port pair: the engine's side is the test. */
async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-engine-link-'));
  cleanup.push(dir);
  const settings = await SettingsStore.open({ file: join(dir, 'settings.json'), defaultDeviceName: 'Laptop' });
  const desktop = new RecordingPlatform();
  const granted: string[][] = [];
  const [mainSide, engineSide] = portPair();
  const services = createMainServices({
    settings,
    appVersion: '1.2.3',
    platform: 'linux',
    desktop,
    signalingConfig: async () => ({ url: 'http://127.0.0.1:9000/', key: 'peerjs', iceServers: [], embedded: true }),
    defaultDownloadDir: join(dir, 'Downloads'),
    identity: await IdentityStore.open({ file: join(dir, 'identity.json') }),
    grantPaths: (paths) => link.grantPaths(paths),
  });
  const link = linkEngine(mainSide, { services, settings, savedPaths: services.downloads.savedPaths });
  const engine = new RpcPeer(engineSide, { grantPaths: handler(z.tuple([z.array(z.string())]), (paths) => void granted.push(paths)) });
  const call = (name: string, ...args: unknown[]) => engine.call(name, args);
  const dispatch = createIpcDispatcher(services, createSenderCheck(RENDERER));
  return { call, engine, desktop, settings, granted, dispatch };
}

describe('main’s side of the engine’s process', () => {
  it('starts the engine once it listens, with the public identity only, and passes on settings changes', async () => {
    const { engine, settings } = await setup();
    const start = new Promise<EngineStart>((resolve) => engine.onNote(START_NOTE, (value) => resolve(value as EngineStart)));
    engine.note(READY_NOTE, null);
    const started = await start;
    expect(started).toMatchObject({ device: { name: 'Laptop' }, signaling: { embedded: true }, settings: { deviceName: 'Laptop' } });
    expect(Object.keys(started.identity).sort()).toEqual(['fingerprintWords', 'peerId', 'publicKey']);
    const changed = new Promise((resolve) => engine.onNote(SETTINGS_NOTE, resolve));
    await settings.update({ theme: 'dark' });
    expect(await changed).toMatchObject({ theme: 'dark' });
  });

  it('changes settings for the engine, with a message per bad field; malformed requests are refused unread', async () => {
    const { call } = await setup();
    expect(await call('updateSettings', { theme: 'dark', relayOnly: true })).toMatchObject({ ok: true, settings: { theme: 'dark', relayOnly: true } });
    expect(await call('updateSettings', { theme: 'neon' })).toMatchObject({ ok: false, fieldErrors: { theme: expect.any(String) } });
    await expect(call('updateSettings', 'theme=dark')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call('setProgress', 1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call('readTheDisk')).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    expect(await call('downloadDir')).toMatch(/Downloads$/);
  });

  it('signs session transcripts for the engine, and nothing else', async () => {
    const { call, engine } = await setup();
    const start = new Promise<EngineStart>((resolve) => engine.onNote(START_NOTE, (value) => resolve(value as EngineStart)));
    engine.note(READY_NOTE, null);
    const publicKey = decodeBase64((await start).identity.publicKey);
    const transcript = sessionTranscript({
      binding: 'sha-256 AA\nsha-256 BB',
      initiator: { nonce: new Uint8Array(32), publicKey },
      responder: { nonce: new Uint8Array(32), publicKey: new Uint8Array(32) },
    });
    const signature = (await call('signSession', encodeBase64(transcript), 'initiator')) as string;
    expect(verifySessionSignature(publicKey, transcript, 'initiator', decodeBase64(signature))).toBe(true);
    await expect(call('signSession', encodeBase64(new TextEncoder().encode('send all files to mallory')), 'initiator')).rejects.toThrow(/Not a session transcript/);
    await expect(call('signSession', '!!', 'initiator')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('shows notifications only while the window is not focused, and taskbar progress', async () => {
    const { call, desktop } = await setup();
    desktop.focused = true;
    expect(await call('notify', 'Done', 'report.pdf arrived')).toBe(false);
    desktop.focused = false;
    expect(await call('notify', 'Done', 'report.pdf arrived')).toBe(true);
    await call('setProgress', 0.5);
    expect(desktop.events).toEqual([
      { type: 'notify', title: 'Done', body: 'report.pdf arrived' },
      { type: 'progress', fraction: 0.5 },
    ]);
  });

  it('lets the window reveal a file once the engine says it saved it; grants reach the engine', async () => {
    const { call, dispatch, granted } = await setup();
    const app = { frameUrl: RENDERER, isMainFrame: true };
    expect(await dispatch('showInFolder', app, ['/home/me/Downloads/a.pdf'])).toMatchObject({ ok: false });
    await call('fileSaved', '/home/me/Downloads/a.pdf');
    expect(await dispatch('showInFolder', app, ['/home/me/Downloads/a.pdf'])).toEqual({ ok: true, value: null });
    expect(await dispatch('grantPaths', app, [['/home/me/Pictures']])).toEqual({ ok: true, value: ['/home/me/Pictures'] });
    expect(granted).toEqual([['/home/me/Pictures']]);
  });
});

describe('main’s watchdog on the engine', () => {
  it('says so once when the engine stops answering, and never while it answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-engine-watchdog-'));
    cleanup.push(dir);
    const settings = await SettingsStore.open({ file: join(dir, 'settings.json'), defaultDeviceName: 'Laptop' });
    const services = createMainServices({
      settings,
      appVersion: '1.2.3',
      platform: 'linux',
      desktop: new RecordingPlatform(),
      signalingConfig: async () => ({ url: 'http://127.0.0.1:9000/', key: 'peerjs', iceServers: [], embedded: true }),
      defaultDownloadDir: join(dir, 'Downloads'),
      identity: await IdentityStore.open({ file: join(dir, 'identity.json') }),
    });
    const watchdog = { everyMs: 20, answerWithinMs: 150 };
    let stuck = 0;
    const [mainSide, engineSide] = portPair();
    let answering = true;
    const engine = new RpcPeer(engineSide, {
      ping: handler(z.tuple([]), () => (answering ? 'pong' : new Promise(() => {}))),
    });
    const link = linkEngine(mainSide, { services, settings, savedPaths: new Set(), watchdog, unresponsive: () => stuck++ });
    await new Promise((r) => setTimeout(r, 400));
    expect(stuck).toBe(0);
    answering = false;
    await new Promise((r) => setTimeout(r, 400));
    expect(stuck).toBe(1);
    link.close();
    engine.close();
  });
});
