/*
 * Send with a code, timed end to end as people use it (part of bench:transfer): `ferry send` on
 * one lab host, then `ferry receive` (CLI → CLI) or the browser page in Chromium (CLI → page,
 * into a chosen folder: the origin's private folder in a profile on disk). The time runs from the
 * receiver's start (its code typed) to its "verified", so the code exchange and the link are in
 * it. The page's renderers' PSS is sampled every 250 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchPersistentChromium } from '../e2e/lab/chromium.js';
import type { Lab } from '../e2e/lab/lab.js';
import { cliDevice } from '../e2e/support/ferry-cli.js';
import { pidsInNamespace, pssByProcess } from '../e2e/support/process-memory.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { waitForText } from '../e2e/support/wait.js';
import { writeRandomFile } from './engine-pair.js';

export interface CodeTransferRun {
  MBps: number;
  seconds: number;
}

export interface CodeTransfers {
  sizeBytes: number;
  cliToCli: CodeTransferRun;
  cliToPage: CodeTransferRun & { pageRenderersPssMB: { before: number; peak: number; growth: number } };
}

const MB = 1e6;
const round1 = (n: number) => Math.round(n * 10) / 10;

export async function measureCodeTransfers(lab: Lab, hosts: { signal: string; sender: string; receiver: string }, sizeBytes: number, timeoutMs: number): Promise<CodeTransfers> {
  const signal = await startSignalHost(lab.host(hosts.signal), 0, ['--web-page', 'yes']);
  const work = mkdtempSync(join(tmpdir(), 'ferry-bench-code-'));
  const file = join(work, 'source.bin');
  await writeRandomFile(file, sizeBytes);
  const sender = cliDevice(lab.host(hosts.sender), { signalingUrl: signal.url, name: 'Sender' });
  const receiver = cliDevice(lab.host(hosts.receiver), { signalingUrl: signal.url, name: 'Receiver' });
  try {
    // CLI → CLI.
    const sending = sender.run('bench-send-cli', ['send', file], { json: true });
    const code = String((await sending.waitForEvent('code')).code);
    const started = Date.now();
    const receiving = receiver.run('bench-receive-cli', ['receive', code, '--dir', mkdtempSync(join(work, 'cli-'))], { json: true });
    await receiving.waitForEvent('received', timeoutMs);
    const cliSeconds = (Date.now() - started) / 1000;
    await Promise.all([sending.exited, receiving.exited]);

    // CLI → page.
    const origin = new URL(signal.url).origin;
    const context = await launchPersistentChromium(lab.host(hosts.receiver), join(work, 'profile'), { extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${origin}`] });
    try {
      await context.addInitScript(() => {
        (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = () => navigator.storage.getDirectory();
      });
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await waitForText(page.getByRole('status', { name: 'Connection to the server' }), /^Connected to /, 30_000);
      const netns = lab.host(hosts.receiver).netns as string;
      const renderers = () => pssByProcess(pidsInNamespace(netns, 'chrom')).filter((p) => p.what === 'renderer').reduce((sum, p) => sum + p.pss, 0);
      const before = renderers();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, renderers())), 250);
      const toPage = sender.run('bench-send-page', ['send', file], { json: true });
      const pageCode = String((await toPage.waitForEvent('code')).code);
      await page.getByRole('textbox', { name: 'Code from the sender' }).fill(pageCode);
      const pageStarted = Date.now();
      await page.getByRole('button', { name: 'Receive', exact: true }).click();
      await waitForText(page.getByRole('status', { name: 'Transfer status' }), /Done, verified/, timeoutMs);
      const pageSeconds = (Date.now() - pageStarted) / 1000;
      clearInterval(sampler);
      await toPage.exited;
      return {
        sizeBytes,
        cliToCli: { MBps: round1(sizeBytes / MB / cliSeconds), seconds: round1(cliSeconds) },
        cliToPage: { MBps: round1(sizeBytes / MB / pageSeconds), seconds: round1(pageSeconds), pageRenderersPssMB: { before: round1(before / MB), peak: round1(peak / MB), growth: round1((peak - before) / MB) } },
      };
    } finally {
      await context.close().catch(() => {});
    }
  } finally {
    await signal.process.stop();
    sender.dispose();
    receiver.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}
