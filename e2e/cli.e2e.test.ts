import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from './lab/lab.js';
import { cliDevice, type CliDeviceHome, type CliRun } from './support/ferry-cli.js';
import { startSignalHost } from './support/signal-host.js';

/** The exit code, or a failure with what the process said if it has not exited in time. */
async function exitedWithin(run: CliRun, ms: number): Promise<number | null> {
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

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Every file under `dir`, relative, sorted (directories end in /). */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? [`${prefix}${e.name}/`, ...tree(join(dir, e.name), `${prefix}${e.name}/`)] : [`${prefix}${e.name}`]))
    .sort();
}

/**
 * `ferry`, the command line peer, on two lab hosts that never met: sending with a code, a
 * folder, a wrong code, Ctrl-C on either side, run as scripts (--json) and as a person at a terminal.
 */
describe('ferry CLI ↔ CLI', () => {
  let lab: Lab;
  let root: string;
  let ada: CliDeviceHome;
  let bo: CliDeviceHome;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-cli-'));
    lab = Lab.create({ hosts: ['signal', 'ada', 'bo'] });
    const signal = await startSignalHost(lab.host('signal'));
    ada = cliDevice(lab.host('ada'), { signalingUrl: signal.url, name: 'Ada' });
    bo = cliDevice(lab.host('bo'), { signalingUrl: signal.url, name: 'Bo' });
  });

  afterAll(async () => {
    await lab?.dispose();
    ada?.dispose();
    bo?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('sends a folder with a code (--json on both sides): byte-identical, empty folders kept, exit 0 on both', async () => {
    const folder = join(root, 'Photos');
    mkdirSync(join(folder, 'trip', 'empty'), { recursive: true });
    writeFileSync(join(folder, 'a.bin'), randomBytes(3 * 1024 * 1024 + 17));
    writeFileSync(join(folder, 'trip', 'b.txt'), 'hello from Ada\n');
    const into = join(root, 'bo-in-1');
    mkdirSync(into);
    const sender = ada.run('ferry-send', ['send', folder], { json: true });
    const { code } = await sender.waitForEvent('code');
    expect(code).toMatch(/^\d{3}-[a-z]+-[a-z]+$/);
    const receiver = bo.run('ferry-receive', ['receive', String(code), '--dir', into], { json: true });
    const [sent, received] = await Promise.all([exitedWithin(sender, 90_000), exitedWithin(receiver, 90_000)]);
    expect({ sent, received }, `${sender.process.log}\n---\n${receiver.process.log}`).toEqual({ sent: 0, received: 0 });
    expect(tree(into)).toEqual(['Photos/', 'Photos/a.bin', 'Photos/trip/', 'Photos/trip/b.txt', 'Photos/trip/empty/']);
    expect(sha(join(into, 'Photos', 'a.bin'))).toBe(sha(join(folder, 'a.bin')));
    const done = receiver.events().find((e) => e.event === 'received');
    expect(done).toMatchObject({ files: 2, title: 'Photos (2 files)' });
    expect(receiver.events().some((e) => e.event === 'progress' || e.event === 'done')).toBe(true);
    expect(sender.events().find((e) => e.event === 'sent')).toMatchObject({ files: 2 });
  });

  it('a wrong code fails both sides in words (exit 1), writes nothing, and burns the code', async () => {
    const file = join(root, 'secret.txt');
    writeFileSync(file, 'not for Eve\n');
    const into = join(root, 'bo-in-wrong');
    mkdirSync(into);
    const sender = ada.run('ferry-send-wrong', ['send', file], { json: true });
    const code = String((await sender.waitForEvent('code')).code);
    // Real words in the wrong order: it passes the spelling check and fails the exchange.
    const [number, first, second] = code.split('-');
    const wrong = `${number}-${second}-${first}`;
    const receiver = bo.run('ferry-receive-wrong', ['receive', wrong, '--dir', into], { json: true });
    const received = await exitedWithin(receiver, 60_000);
    const sent = await exitedWithin(sender, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- receiver (${received}):\n${receiver.process.log}`);
    });
    expect({ sent, received }, `${sender.process.log}\n---\n${receiver.process.log}`).toEqual({ sent: 1, received: 1 });
    for (const run of [sender, receiver]) {
      const error = run.events().find((e) => e.event === 'error');
      expect(error, run.process.log).toMatchObject({ code: 'CODE_FAILED' });
      expect(String(error?.message)).toMatch(/code/i);
    }
    expect(readdirSync(into)).toEqual([]);
    // Burned: the right code does not work after a wrong one.
    const again = bo.run('ferry-receive-burned', ['receive', code, '--dir', into], { json: true });
    expect(await again.exited, again.process.log).toBe(1);
    expect(readdirSync(into)).toEqual([]);
  });

  it('a person at a terminal: asked for the code, sees progress bars, exit 0', async () => {
    const file = join(root, 'song.bin');
    writeFileSync(file, randomBytes(8 * 1024 * 1024));
    const into = join(root, 'bo-in-tty');
    mkdirSync(into);
    const sender = ada.runInTerminal('ferry-send-tty', ['send', file]);
    const codeLine = await sender.process.waitForLine(/Code: \d{3}-[a-z]+-[a-z]+/, 60_000);
    const code = /(\d{3}-[a-z]+-[a-z]+)/.exec(codeLine)?.[1] as string;
    expect(sender.process.log).toContain(`ferry receive ${code}`);
    const receiver = bo.runInTerminal('ferry-receive-tty', ['receive', '--dir', into]);
    // The prompt ends no line: watch the terminal's output for it.
    await until(() => receiver.process.log.includes('Code: '), 30_000, `the code prompt:\n${receiver.process.log}`);
    receiver.process.child.stdin?.write(`${code}\r`);
    const [sent, received] = await Promise.all([exitedWithin(sender, 90_000), exitedWithin(receiver, 90_000)]);
    expect({ sent, received }, `${sender.process.log}\n---\n${receiver.process.log}`).toEqual({ sent: 0, received: 0 });
    expect(sha(join(into, 'song.bin'))).toBe(sha(file));
    // cli-progress draws with block characters and a percentage; the words say what happened.
    for (const run of [sender, receiver]) expect(run.process.log).toMatch(/song\.bin [→←] (Ada|Bo) \|[█░]+\| \d+%/);
    expect(receiver.process.log).toContain('Received, verified:');
    expect(sender.process.log).toContain('verified by the receiver');
  });

  it('--help for every command, exit 2 with words for a wrong command line', async () => {
    for (const command of ['send', 'receive', 'pair', 'devices', 'listen']) {
      const help = ada.run(`help-${command}`, [command, '--help']);
      expect(await help.exited).toBe(0);
      expect(help.process.log).toMatch(new RegExp(`Usage: ferry ${command}`));
      expect(help.process.log).toContain('--config-dir');
    }
    const wrong = ada.run('wrong-usage', ['send']);
    expect(await wrong.exited).toBe(2);
    expect(wrong.process.log).toContain('Name at least one file or folder to send.');
  });
});

/**
 * Ctrl-C mid-transfer, on a link slow enough to be mid-transfer (40 Mbit/s): the side pressed
 * exits 130, the other fails in words (exit 1), and the receiving folder holds nothing at all —
 * no partial file, no staging.
 */
describe('ferry CLI: Ctrl-C mid-transfer leaves nothing partial', () => {
  let lab: Lab;
  let root: string;
  let cy: CliDeviceHome;
  let di: CliDeviceHome;
  let big: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-cli-cc-'));
    lab = Lab.create({ hosts: ['signal', 'cy', 'di'] });
    await lab.addImpairedLink('cy', 'di', { rateMbit: 40, udpOnlyHere: true });
    const signal = await startSignalHost(lab.host('signal'));
    cy = cliDevice(lab.host('cy'), { signalingUrl: signal.url, name: 'Cy' });
    di = cliDevice(lab.host('di'), { signalingUrl: signal.url, name: 'Di' });
    big = join(root, 'big.bin');
    writeFileSync(big, randomBytes(48 * 1024 * 1024));
  });

  afterAll(async () => {
    await lab?.dispose();
    cy?.dispose();
    di?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function midTransfer(): Promise<{ sender: ReturnType<CliDeviceHome['run']>; receiver: ReturnType<CliDeviceHome['run']>; into: string }> {
    const into = mkdtempSync(join(root, 'di-in-'));
    const sender = cy.run('ferry-send-big', ['send', big], { json: true });
    const code = String((await sender.waitForEvent('code')).code);
    const receiver = di.run('ferry-receive-big', ['receive', code, '--dir', into], { json: true });
    await receiver.process.waitForLine(/"event":"progress".*"bytesDone":[1-9]\d{6,}/, 60_000);
    return { sender, receiver, into };
  }

  it('on the receiving side', async () => {
    const { sender, receiver, into } = await midTransfer();
    receiver.process.child.kill('SIGINT');
    const [sent, received] = await Promise.all([exitedWithin(sender, 90_000), exitedWithin(receiver, 90_000)]);
    expect({ sent, received }, `${sender.process.log}\n---\n${receiver.process.log}`).toEqual({ sent: 1, received: 130 });
    expect(sender.events().find((e) => e.event === 'error')?.message, sender.process.log).toMatch(/cancel/i);
    expect(readdirSync(into)).toEqual([]);
  });

  it('on the sending side', async () => {
    const { sender, receiver, into } = await midTransfer();
    sender.process.child.kill('SIGINT');
    const sent = await exitedWithin(sender, 30_000);
    const received = await exitedWithin(receiver, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- sender (${sent}):\n${sender.process.log}`);
    });
    expect({ sent, received }, `${sender.process.log}\n---\n${receiver.process.log}`).toEqual({ sent: 130, received: 1 });
    // The sender's cancel may still sit behind the data in flight when its process ends: then the
    // receiver hears the connection close instead. Either way it says so and keeps nothing.
    expect(receiver.events().find((e) => e.event === 'error')?.message, receiver.process.log).toMatch(/cancel|closed/i);
    expect(readdirSync(into)).toEqual([]);
  });
});

/**
 * No server named: `ferry` finds the LAN's Ferry server by mDNS or hosts one itself, as the app
 * does. The sender hosts (nobody else is there); the receiver finds it and joins.
 */
describe('ferry CLI on the built-in LAN signaling', () => {
  let lab: Lab;
  let root: string;
  let ed: CliDeviceHome;
  let flo: CliDeviceHome;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-cli-lan-'));
    lab = Lab.create({ hosts: ['ed', 'flo'] });
    ed = cliDevice(lab.host('ed'), { signalingUrl: null, name: 'Ed' });
    flo = cliDevice(lab.host('flo'), { signalingUrl: null, name: 'Flo' });
  });

  afterAll(async () => {
    await lab?.dispose();
    ed?.dispose();
    flo?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('sends with a code between two CLIs that named no server', async () => {
    const file = join(root, 'lan.bin');
    writeFileSync(file, randomBytes(1024 * 1024));
    const into = join(root, 'flo-in');
    mkdirSync(into);
    const sender = ed.run('ferry-send-lan', ['send', file], { json: true });
    const code = String((await sender.waitForEvent('code', 60_000)).code);
    const receiver = flo.run('ferry-receive-lan', ['receive', code, '--dir', into], { json: true });
    const [sent, received] = await Promise.all([exitedWithin(sender, 90_000), exitedWithin(receiver, 90_000)]);
    expect({ sent, received }, `${sender.process.log}\n---\n${receiver.process.log}`).toEqual({ sent: 0, received: 0 });
    expect(sha(join(into, 'lan.bin'))).toBe(sha(file));
  });
});
