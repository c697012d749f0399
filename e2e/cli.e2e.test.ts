import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from './lab/lab.js';
import { cliDevice, type CliDeviceHome } from './support/ferry-cli.js';
import { startSignalHost } from './support/signal-host.js';

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
    const [sent, received] = await Promise.all([sender.exited, receiver.exited]);
    expect({ sent, received }, `${sender.process.log}\n---\n${receiver.process.log}`).toEqual({ sent: 0, received: 0 });
    expect(tree(into)).toEqual(['Photos/', 'Photos/a.bin', 'Photos/trip/', 'Photos/trip/b.txt', 'Photos/trip/empty/']);
    expect(sha(join(into, 'Photos', 'a.bin'))).toBe(sha(join(folder, 'a.bin')));
    const done = receiver.events().find((e) => e.event === 'received');
    expect(done).toMatchObject({ files: 2, title: 'Photos (2 files)' });
    expect(receiver.events().some((e) => e.event === 'progress' || e.event === 'done')).toBe(true);
    expect(sender.events().find((e) => e.event === 'sent')).toMatchObject({ files: 2 });
  });
});
