import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSnapshot, TransferRow } from '../src-engine/index.js';
import { Lab } from './lab/lab.js';
import { connectLink, type EngineApp, startEngineApp } from './support/engine-app.js';
import { cliDevice, type CliDeviceHome, type CliRun } from './support/ferry-cli.js';
import { startSignalHost } from './support/signal-host.js';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function exitCode(run: CliRun, ms = 90_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${run.process.label} still running after ${ms} ms:\n${run.process.log}`)), ms);
  });
  try {
    return await Promise.race([run.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The app's row with the device, once it has ended. */
function endedRow(peerId: string, direction: 'in' | 'out'): (s: EngineSnapshot) => TransferRow | undefined {
  return (s) => s.conversations.find((c) => c.peerId === peerId)?.transfers.find((t) => t.direction === direction && ['done', 'failed', 'cancelled', 'declined'].includes(t.state));
}

/**
 * The app (main and engine as the desktop app runs them, on a lab host) and `ferry` on another:
 * by code each way, then paired — `ferry listen` takes what the app sends, `ferry send --to`
 * reaches the app, `ferry devices` shows it online.
 */
describe('ferry CLI ↔ the app', () => {
  let lab: Lab;
  let root: string;
  let mira: EngineApp;
  let ada: CliDeviceHome;
  let miraId: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-cli-app-'));
    lab = Lab.create({ hosts: ['signal', 'mira', 'ada'] });
    const signal = await startSignalHost(lab.host('signal'));
    mira = await startEngineApp(lab.host('mira'), { deviceName: 'Mira', signalingUrl: signal.url });
    ada = cliDevice(lab.host('ada'), { signalingUrl: signal.url, name: 'Ada' });
    miraId = await mira.waitFor('signaling', (s) => (s.signaling?.kind === 'connected' ? s.signaling.peerId : undefined));
  });

  afterAll(async () => {
    await mira?.kill();
    await lab?.dispose();
    ada?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('app → CLI with a code: the file arrives byte-identical, both say done', async () => {
    const file = join(root, 'report.pdf');
    writeFileSync(file, randomBytes(2 * 1024 * 1024 + 5));
    await mira.pick([file]);
    await mira.command('sendPathsWithCode', [file]);
    const code = await mira.waitFor('a code', (s) => (s.codeTransfer?.kind === 'showing' ? s.codeTransfer.code : undefined));
    const into = join(root, 'ada-in-1');
    mkdirSync(into);
    const receiver = ada.run('ferry-receive-from-app', ['receive', code, '--dir', into], { json: true });
    expect(await exitCode(receiver), receiver.process.log).toBe(0);
    expect(sha(join(into, 'report.pdf'))).toBe(sha(file));
    const adaId = await mira.waitFor('the code peer', (s) => (s.codeTransfer?.kind === 'connected' ? s.codeTransfer.peerId : undefined));
    const row = await mira.waitFor('the app’s row', endedRow(adaId, 'out'));
    expect(row.state).toBe('done');
  });

  it('CLI → app with a code: a folder arrives in the app’s download folder, byte-identical', async () => {
    const folder = join(root, 'Notes');
    mkdirSync(join(folder, 'old'), { recursive: true });
    writeFileSync(join(folder, 'old', 'a.md'), '# hello\n');
    writeFileSync(join(folder, 'b.bin'), randomBytes(1024 * 1024));
    const sender = ada.run('ferry-send-to-app', ['send', folder], { json: true });
    const code = String((await sender.waitForEvent('code')).code);
    await mira.command('receiveWithCode', code);
    expect(await exitCode(sender), sender.process.log).toBe(0);
    const adaId = await mira.waitFor('the code peer', (s) => (s.codeTransfer?.kind === 'connected' ? s.codeTransfer.peerId : undefined));
    const row = await mira.waitFor('the app’s row', endedRow(adaId, 'in'));
    expect(row.state).toBe('done');
    expect(sha(join(mira.downloadDir, 'Notes', 'b.bin'))).toBe(sha(join(folder, 'b.bin')));
    expect(readFileSync(join(mira.downloadDir, 'Notes', 'old', 'a.md'), 'utf8')).toBe('# hello\n');
  });

  it('paired: the CLI shows a code and the app types it, both see the same words; then listen, send --to and devices', async () => {
    const pairing = ada.run('ferry-pair', ['pair'], { json: true });
    const code = String((await pairing.waitForEvent('code')).code);
    await mira.command('enterPairingCode', code);
    expect(await exitCode(pairing), pairing.process.log).toBe(0);
    const paired = pairing.events().find((e) => e.event === 'paired') as { peerId: string; name: string; words: string[] };
    expect(paired).toMatchObject({ peerId: miraId, name: 'Mira' });
    const miraSide = await mira.waitFor('paired', (s) => (s.pairing?.kind === 'paired' ? s.pairing : undefined));
    expect(miraSide.sas).toEqual(paired.words);
    const adaId = miraSide.peerId;

    // `ferry listen` takes what a paired device sends, without asking.
    const into = join(root, 'ada-listen');
    mkdirSync(into);
    const listening = ada.run('ferry-listen', ['listen', '--dir', into], { json: true });
    expect(await listening.waitForEvent('listening')).toMatchObject({ peerId: adaId, name: 'Ada' });
    const photo = join(root, 'photo.jpg');
    writeFileSync(photo, randomBytes(700_000));
    await mira.pick([photo]);
    await mira.command('connectTo', adaId);
    await mira.waitFor('a link to Ada', (s) => (s.conversations.find((c) => c.peerId === adaId)?.state === 'open' ? true : undefined));
    await mira.command('sendPaths', adaId, [photo]);
    const done = await listening.waitForEvent('done');
    expect(done).toMatchObject({ direction: 'receive', device: 'Mira', title: 'photo.jpg' });
    expect(sha(join(into, 'photo.jpg'))).toBe(sha(photo));
    listening.process.child.kill('SIGINT');
    expect(await exitCode(listening)).toBe(0);

    // `--accept ask`: a person at the terminal says yes (and Ctrl-C, typed, ends it).
    const asking = ada.runInTerminal('ferry-listen-ask', ['listen', '--accept', 'ask', '--dir', into]);
    await asking.process.waitForLine(/Listening as Ada/, 30_000);
    const card = join(root, 'card.txt');
    writeFileSync(card, 'asked first\n');
    await mira.pick([card]);
    await mira.command('connectTo', adaId);
    await mira.waitFor('a link to Ada again', (s) => (s.conversations.find((c) => c.peerId === adaId)?.state === 'open' ? true : undefined));
    await mira.command('sendPaths', adaId, [card]);
    await expect.poll(() => asking.process.log.includes('Mira wants to send card.txt (1 file). Accept? [y/N]'), { timeout: 30_000 }).toBe(true);
    asking.process.child.stdin?.write('y\r');
    await expect.poll(() => asking.process.log.includes('Received from Mira'), { timeout: 30_000 }).toBe(true);
    expect(readFileSync(join(into, 'card.txt'), 'utf8')).toBe('asked first\n');
    asking.process.child.stdin?.write('\x03');
    expect(await exitCode(asking)).toBe(0);

    // `ferry send --to` a paired device by its name: the app takes it (it always accepts from paired devices by default).
    const memo = join(root, 'memo.txt');
    writeFileSync(memo, 'from the terminal\n');
    const sending = ada.run('ferry-send-to', ['send', '--to', 'mira', memo], { json: true });
    expect(await exitCode(sending), sending.process.log).toBe(0);
    expect(readFileSync(join(mira.downloadDir, 'memo.txt'), 'utf8')).toBe('from the terminal\n');

    const listed = ada.run('ferry-devices', ['devices', '--wait', '4'], { json: true });
    expect(await exitCode(listed)).toBe(0);
    expect(listed.events().filter((e) => e.event === 'device')).toContainEqual({ event: 'device', peerId: miraId, name: 'Mira', paired: true, online: true, kind: 'desktop' });

    // An unknown name fails in words, listing the paired devices.
    const unknown = ada.run('ferry-send-unknown', ['send', '--to', 'Zed', memo], { json: true });
    expect(await exitCode(unknown)).toBe(1);
    expect(unknown.events().find((e) => e.event === 'error')).toMatchObject({ code: 'DEVICE_UNKNOWN', message: expect.stringContaining('Mira') });
  });

  it('`ferry listen` declines an offer from a device it is not paired with, and the app hears a decline', async () => {
    const bo = cliDevice(lab.host('ada'), { signalingUrl: (await mira.snapshot()).signalingConfig?.url ?? '', name: 'Bo' });
    try {
      const into = join(root, 'bo-listen');
      mkdirSync(into);
      const listening = bo.run('ferry-listen-bo', ['listen', '--dir', into], { json: true });
      const boId = String((await listening.waitForEvent('listening')).peerId);
      const file = join(root, 'unsolicited.bin');
      writeFileSync(file, randomBytes(10_000));
      await mira.pick([file]);
      await mira.command('connectTo', boId);
      await mira.waitFor('a link to Bo', (s) => (s.conversations.find((c) => c.peerId === boId)?.state === 'open' ? true : undefined));
      await mira.command('sendPaths', boId, [file]);
      const row = await mira.waitFor('the decline', endedRow(boId, 'out'));
      expect(row.state).toBe('declined');
      listening.process.child.kill('SIGINT');
      expect(await exitCode(listening)).toBe(0);
      expect(listening.events().find((e) => e.event === 'declined'), listening.process.log).toMatchObject({ device: 'Mira', title: 'unsolicited.bin', endedBy: 'here' });
      expect(readdirSync(into)).toEqual([]);
    } finally {
      bo.dispose();
    }
  });
});

/**
 * Resume with a paired device (SPEC.md, "Resume"): the app sends to `ferry listen` over a slow
 * link (40 Mbit/s), the listening process is killed mid-transfer (SIGKILL: no goodbye), and a new
 * `ferry listen` on the same folder and config takes the transfer up where its journal says.
 */
describe('ferry listen: a transfer cut off by a killed process resumes', () => {
  let lab: Lab;
  let root: string;
  let mira: EngineApp;
  let ada: CliDeviceHome;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-cli-resume-'));
    lab = Lab.create({ hosts: ['signal', 'mira', 'ada'] });
    await lab.addImpairedLink('mira', 'ada', { rateMbit: 40, udpOnlyHere: true });
    const signal = await startSignalHost(lab.host('signal'));
    mira = await startEngineApp(lab.host('mira'), { deviceName: 'Mira', signalingUrl: signal.url });
    ada = cliDevice(lab.host('ada'), { signalingUrl: signal.url, name: 'Ada' });
    await mira.waitFor('signaling', (s) => (s.signaling?.kind === 'connected' ? true : undefined));
  });

  afterAll(async () => {
    await mira?.kill();
    await lab?.dispose();
    ada?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('byte-identical after the restart, with the bytes it held kept', { timeout: 240_000 }, async () => {
    const pairing = ada.run('ferry-pair-resume', ['pair'], { json: true });
    const code = String((await pairing.waitForEvent('code')).code);
    await mira.command('enterPairingCode', code);
    expect(await exitCode(pairing), pairing.process.log).toBe(0);
    const adaId = (await mira.waitFor('paired', (s) => (s.pairing?.kind === 'paired' ? s.pairing : undefined))).peerId;
    const into = join(root, 'inbox');
    mkdirSync(into);
    const first = ada.run('ferry-listen-1', ['listen', '--dir', into], { json: true });
    await first.waitForEvent('listening');
    const big = join(root, 'big.bin');
    writeFileSync(big, randomBytes(40 * 1024 * 1024));
    await mira.pick([big]);
    // As a person would: Connect, and Retry if that connection fails (over the slow TUN link a
    // first connection now and then dies before it opens).
    await connectLink(mira, adaId, 'a link to Ada');
    await mira.command('sendPaths', adaId, [big]);
    const cut = await first.process.waitForLine(/"event":"progress".*"bytesDone":(1[0-9]|[2-9][0-9])\d{6}/, 90_000);
    const heldAtCut = Number((JSON.parse(cut) as { bytesDone: number }).bytesDone);
    first.process.child.kill('SIGKILL');
    await first.exited;
    const second = ada.run('ferry-listen-2', ['listen', '--dir', into], { json: true });
    const done = await second.waitForEvent('done', 150_000);
    expect(done).toMatchObject({ direction: 'receive', device: 'Mira', title: 'big.bin' });
    expect(sha(join(into, 'big.bin'))).toBe(sha(big));
    // Nothing of the staging is left, and the app's row says done.
    expect(readdirSync(into)).toEqual(['big.bin']);
    const row = await mira.waitFor('the app’s row', endedRow(adaId, 'out'));
    expect(row.state).toBe('done');
    expect(heldAtCut).toBeGreaterThan(10_000_000);
    second.process.child.kill('SIGINT');
    expect(await exitCode(second)).toBe(0);
  });
});
