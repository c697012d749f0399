import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsStore } from './store.js';

let dir: string;
let file: string;
const warnings: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-settings-'));
  file = join(dir, 'settings.json');
  warnings.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = () => SettingsStore.open({ file, defaultDeviceName: 'laptop', warn: (m) => warnings.push(m), now: () => 1234 });

describe('SettingsStore', () => {
  it('starts from defaults, persists a change atomically, and reads it back', async () => {
    const store = await open();
    expect(store.get()).toMatchObject({ version: 1, deviceName: 'laptop', downloadDir: null, theme: 'system', transferMode: 'automatic' });
    // Nothing outside the schema is taken (the device id, say, is the identity's, not a setting).
    expect(await store.update({ deviceId: 'ferry-aaaaaaaaaaaaaaaa' })).toMatchObject({ ok: false, fieldErrors: { settings: expect.any(String) } });
    const result = await store.update({ deviceName: '  Ada’s desk  ', theme: 'dark', downloadDir: '/srv/inbox' });
    expect(result).toMatchObject({ ok: true, settings: { deviceName: 'Ada’s desk', theme: 'dark', downloadDir: '/srv/inbox' } });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, deviceName: 'Ada’s desk', theme: 'dark' });
    expect(await readdir(dir)).toEqual(['settings.json']); // no temporary files left behind
    expect((await open()).get()).toEqual(store.get());
  });

  it('keeps interrupted downloads for whole days, 1 to 365; a file from before the setting stays valid', async () => {
    await writeFile(file, JSON.stringify({ version: 1, deviceName: 'old', downloadDir: null, signaling: { kind: 'built-in' }, iceServers: [], relayOnly: false, transferMode: 'automatic', autoAcceptTrusted: true, trustedDevices: [], theme: 'system' }));
    const store = await open();
    expect(store.get()).toMatchObject({ deviceName: 'old' });
    expect(store.get().keepInterruptedDays).toBeUndefined();
    expect(warnings).toEqual([]);
    for (const [days, words] of [[0, /At least a day/], [400, /At most a year/], [1.5, /Whole days/]] as const) {
      expect(await store.update({ keepInterruptedDays: days })).toMatchObject({ ok: false, fieldErrors: { keepInterruptedDays: expect.stringMatching(words) } });
    }
    expect(await store.update({ keepInterruptedDays: 30 })).toMatchObject({ ok: true, settings: { keepInterruptedDays: 30 } });
  });

  it('refuses an invalid change as a whole, with a message per field, and writes nothing', async () => {
    const store = await open();
    await store.update({ theme: 'light' });
    const before = await readFile(file, 'utf8');
    const result = await store.update({
      theme: 'light',
      deviceName: '',
      signaling: { kind: 'custom', url: 'ftp://example.org' },
      iceServers: [{ urls: ['turn:turn.example.org:3478'] }],
      downloadDir: 'relative/folder',
      surprise: true,
    });
    expect(result.ok).toBe(false);
    const errors = (result as { fieldErrors: Record<string, string> }).fieldErrors;
    expect(errors).toMatchObject({
      deviceName: 'A device name cannot be empty.',
      'signaling.url': expect.stringMatching(/http:\/\/ or https:\/\//),
      'iceServers.0': 'A TURN server needs a username and a credential.',
      downloadDir: 'Choose a folder (an absolute path).',
    });
    expect(Object.keys(errors)).toContain('settings'); // the unknown key
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(store.get().theme).toBe('light');
  });

  it('keeps an unreadable file aside and starts from defaults', async () => {
    await writeFile(file, '{ "version": 1, "deviceName": ');
    const store = await open();
    expect(store.get().deviceName).toBe('laptop');
    expect(await readFile(`${file}.bad-1234`, 'utf8')).toBe('{ "version": 1, "deviceName": ');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, deviceName: 'laptop' });
    expect(warnings.join('\n')).toMatch(/not valid JSON.*kept as/s);
  });

  it('keeps the valid fields of a partly broken file and resets the rest', async () => {
    await writeFile(file, JSON.stringify({ version: 1, deviceName: 'Kept', theme: 'purple', relayOnly: 'yes', trustedDevices: [] }));
    const store = await open();
    expect(store.get()).toMatchObject({ deviceName: 'Kept', theme: 'system', relayOnly: false });
    expect(warnings.join('\n')).toMatch(/reset: .*theme/);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['settings.json', 'settings.json.bad-1234']));
  });

  it('leaves a newer version’s file untouched and refuses to change it', async () => {
    const newer = JSON.stringify({ version: 7, deviceName: 'Future', hologram: true });
    await writeFile(file, newer);
    const store = await open();
    expect(store.get().deviceName).toBe('laptop');
    expect(await store.update({ theme: 'dark' })).toMatchObject({ ok: false, fieldErrors: { settings: expect.stringMatching(/newer version/) } });
    expect(await readFile(file, 'utf8')).toBe(newer);
  });

  it('serialises concurrent changes: every one applies, the file holds the last', async () => {
    const store = await open();
    const names = Array.from({ length: 20 }, (_, i) => `device ${i}`);
    await Promise.all(names.map((deviceName) => store.update({ deviceName })));
    expect(store.get().deviceName).toBe('device 19');
    expect(JSON.parse(await readFile(file, 'utf8')).deviceName).toBe('device 19');
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('tells listeners what changed', async () => {
    const store = await open();
    const seen: Array<[string, string]> = [];
    store.onChange((now, before) => seen.push([before.theme, now.theme]));
    await store.update({ theme: 'dark' });
    expect(seen).toEqual([['system', 'dark']]);
  });
});
