import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, launchPersistentChromium } from './lab/chromium.js';
import { pidsInNamespace, pssByProcess } from './support/process-memory.js';
import { Lab } from './lab/lab.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { cliDevice, type CliDeviceHome, type CliRun } from './support/ferry-cli.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

/** A file of `mebibytes` random MiB (each one different), written a few at a time. */
function writeRandomFile(path: string, mebibytes: number): void {
  const chunk = randomBytes(1024 * 1024);
  const parts: Buffer[] = [];
  for (let i = 0; i < mebibytes; i++) {
    chunk.writeUInt32LE(i, 0);
    parts.push(Buffer.from(chunk));
    if (parts.length === 64 || i === mebibytes - 1) writeFileSync(path, Buffer.concat(parts.splice(0)), { flag: i < 64 ? 'w' : 'a' });
  }
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** Files of exactly `size` bytes under `dir`. */
function filesOfSize(dir: string, size: number): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => statSync(path).size === size);
}

/** Where lab runs leave their measurements (not committed). */
const ARTIFACTS = fileURLToPath(new URL('../test-results/e2e/', import.meta.url));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function exitCode(run: CliRun, ms = 120_000): Promise<number | null> {
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

/** Every file and folder inside a zip, with each file's SHA-256 (Python's zipfile: the archive is checked as another tool reads it). */
function zipListing(zip: string): Record<string, string> {
  const script = 'import sys,zipfile,hashlib,json\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps({i.filename:(hashlib.sha256(z.read(i)).hexdigest() if not i.is_dir() else "dir") for i in z.infolist()}))';
  return JSON.parse(execFileSync('python3', ['-c', script, zip], { encoding: 'utf8' })) as Record<string, string>;
}

/**
 * The browser page the signaling server serves (--web-page), in Chromium on a lab host, with
 * `ferry` and the app on others: by code each way, a folder as a zip, a wrong code, the folder
 * the person chose (File System Access), and nothing asked of any other origin.
 */
describe('the browser page', () => {
  let lab: Lab;
  let root: string;
  let browser: Browser;
  let origin: string;
  let ada: CliDeviceHome;
  let signalUrl: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-web-'));
    lab = Lab.create({ hosts: ['signal', 'ada', 'bo', 'mira'] });
    const signal = await startSignalHost(lab.host('signal'), 0, ['--web-page', 'yes']);
    signalUrl = signal.url;
    origin = new URL(signal.url).origin;
    // Plain HTTP on a LAN address is not a secure context: the lab's origin is treated as one, as
    // an HTTPS server is (service workers and the folder picker need it). The plain-HTTP case has its own test.
    browser = await launchChromium(lab.host('bo'), { extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${origin}`] });
    ada = cliDevice(lab.host('ada'), { signalingUrl: signal.url, name: 'Ada' });
  });

  // A test that failed half-way must not leave a `ferry` holding Ada's id for the next one.
  afterEach(async () => {
    await ada?.stopRunning();
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await lab?.dispose();
    ada?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** A fresh visit to the page; `folderPicker: false` takes the browser's folder picker away (the streamed download is used). */
  async function visit(options: { folderPicker: boolean }): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
    const context = await browser.newContext({ acceptDownloads: true });
    if (!options.folderPicker) await context.addInitScript(() => delete (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker);
    // Chromium's folder picker is a native dialog no test can answer: here it answers with the
    // origin's private folder (a real FileSystemDirectoryHandle), where the page's real writes land.
    else
      await context.addInitScript(() => {
        (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = () => navigator.storage.getDirectory();
      });
    const page = await context.newPage();
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const response = await page.goto(`${origin}/`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    await waitForText(page.getByRole('status', { name: 'Connection to the server' }), /^Connected to /, 30_000);
    return { context, page, requests };
  }

  const receiveOnPage = async (page: Page, code: string) => {
    await page.getByRole('textbox', { name: 'Code from the sender' }).fill(code);
    await page.getByRole('button', { name: 'Receive', exact: true }).click();
  };

  const saved = async (download: Download, name: string) => {
    const path = join(root, `${Date.now()}-${name}`);
    await download.saveAs(path);
    expect(await download.failure()).toBeNull();
    return path;
  };

  it('says what it is and whom it talks to, and asks nothing of any other origin', async () => {
    const { context, page, requests } = await visit({ folderPicker: false });
    await expect.poll(() => page.getByText(`Ferry server at ${new URL(origin).host}`).count()).toBe(1);
    expect(await page.getByText('Nothing is uploaded and nothing is kept.').count()).toBe(1);
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
    await context.close();
  });

  it('CLI → page with a code: a file streamed to the browser’s downloads, byte-identical', async () => {
    const file = join(root, 'notes.bin');
    writeFileSync(file, randomBytes(5 * 1024 * 1024 + 3));
    const { context, page, requests } = await visit({ folderPicker: false });
    const sender = ada.run('ferry-send-page', ['send', file], { json: true });
    const code = String((await sender.waitForEvent('code')).code);
    const downloading = page.waitForEvent('download', { timeout: 60_000 });
    await receiveOnPage(page, code);
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('notes.bin');
    expect(sha(await saved(download, 'notes.bin'))).toBe(sha(file));
    expect(await exitCode(sender), sender.process.log).toBe(0);
    await waitForText(page.getByRole('status', { name: 'Transfer status' }), /Done, verified/);
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:'))).toEqual([]);
    await context.close();
  });

  it('CLI → page: a folder arrives as one zip, empty folders kept, every file byte-identical', async () => {
    const folder = join(root, 'Trip');
    mkdirSync(join(folder, 'day1', 'empty'), { recursive: true });
    writeFileSync(join(folder, 'day1', 'a.jpg'), randomBytes(1_500_000));
    writeFileSync(join(folder, 'b.txt'), 'postcard\n');
    const { context, page } = await visit({ folderPicker: false });
    const sender = ada.run('ferry-send-folder-page', ['send', folder], { json: true });
    const code = String((await sender.waitForEvent('code')).code);
    const downloading = page.waitForEvent('download', { timeout: 60_000 });
    await receiveOnPage(page, code);
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('Trip.zip');
    const zip = await saved(download, 'Trip.zip');
    expect(await exitCode(sender), sender.process.log).toBe(0);
    expect(zipListing(zip)).toEqual({
      'Trip/': 'dir',
      'Trip/day1/': 'dir',
      'Trip/day1/empty/': 'dir',
      'Trip/day1/a.jpg': sha(join(folder, 'day1', 'a.jpg')),
      'Trip/b.txt': sha(join(folder, 'b.txt')),
    });
    await context.close();
  });

  it('page → CLI with a code: byte-identical', async () => {
    const file = join(root, 'from-browser.bin');
    writeFileSync(file, randomBytes(3 * 1024 * 1024));
    const { context, page } = await visit({ folderPicker: false });
    await page.getByLabel('Files to send').setInputFiles(file);
    const code = await waitForText(page.getByRole('status', { name: 'Transfer code' }), /^\d{3}-[a-z]+-[a-z]+$/);
    const into = mkdtempSync(join(root, 'ada-in-'));
    const receiver = ada.run('ferry-receive-from-page', ['receive', code, '--dir', into], { json: true });
    expect(await exitCode(receiver), receiver.process.log).toBe(0);
    expect(sha(join(into, 'from-browser.bin'))).toBe(sha(file));
    await waitForText(page.getByRole('status', { name: 'Transfer status' }), /Done, verified/);
    await context.close();
  });

  it('a wrong code fails the page and the sender, and nothing is downloaded', async () => {
    const file = join(root, 'private.txt');
    writeFileSync(file, 'not yours\n');
    const { context, page } = await visit({ folderPicker: false });
    let downloads = 0;
    page.on('download', () => downloads++);
    const sender = ada.run('ferry-send-wrong-page', ['send', file], { json: true });
    const [number, first, second] = String((await sender.waitForEvent('code')).code).split('-');
    await receiveOnPage(page, `${number}-${second}-${first}`);
    await waitForText(page.getByRole('status', { name: 'Transfer status' }), /didn’t match/, 30_000);
    expect(await exitCode(sender)).toBe(1);
    expect(downloads).toBe(0);
    await context.close();
  });

  it('over plain HTTP (not a secure context): a small file still arrives, from memory, and the page says why it can take no more', async () => {
    const plain = await launchChromium(lab.host('bo'));
    try {
      const context = await plain.newContext({ acceptDownloads: true });
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await waitForText(page.getByRole('status', { name: 'Connection to the server' }), /^Connected to /, 30_000);
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
      await expect.poll(() => page.getByText(/served over plain HTTP.*up to 200 MB.*HTTPS/).count()).toBe(1);
      const file = join(root, 'small.txt');
      writeFileSync(file, 'a small note\n'.repeat(1000));
      const sender = ada.run('ferry-send-plain', ['send', file], { json: true });
      const code = String((await sender.waitForEvent('code')).code);
      const downloading = page.waitForEvent('download', { timeout: 60_000 });
      await receiveOnPage(page, code);
      const download = await downloading;
      expect(sha(await saved(download, 'small.txt'))).toBe(sha(file));
      expect(await exitCode(sender), sender.process.log).toBe(0);
      await context.close();
    } finally {
      await plain.close();
    }
  });

  it('the app → page with a code, into the folder the person chose (File System Access), and page → app', async () => {
    const mira: EngineApp = await startEngineApp(lab.host('mira'), { deviceName: 'Mira', signalingUrl: signalUrl });
    try {
      const file = join(root, 'slides.pdf');
      writeFileSync(file, randomBytes(2_000_000));
      const { context, page } = await visit({ folderPicker: true });
      await mira.pick([file]);
      await mira.command('sendPathsWithCode', [file]);
      const code = await mira.waitFor('a code', (s) => (s.codeTransfer?.kind === 'showing' ? s.codeTransfer.code : undefined));
      await receiveOnPage(page, code);
      await waitForText(page.getByRole('status', { name: 'Transfer status' }), /Done, verified/, 60_000);
      const inFolder = await page.evaluate(async () => {
        const dir = await navigator.storage.getDirectory();
        const names: string[] = [];
        for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
        const file = await (await dir.getFileHandle('slides.pdf')).getFile();
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
        return { names, sha: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
      });
      expect(inFolder, JSON.stringify(inFolder)).toEqual({ names: ['slides.pdf'], sha: sha(file) });

      // And back: the page sends with a code, the app types it.
      const reply = join(root, 'reply.bin');
      writeFileSync(reply, randomBytes(1_200_000));
      await page.getByLabel('Files to send').setInputFiles(reply);
      const back = await waitForText(page.getByRole('status', { name: 'Transfer code' }), /^\d{3}-[a-z]+-[a-z]+$/);
      await mira.command('receiveWithCode', back);
      await waitForText(page.getByRole('status', { name: 'Transfer status' }), /reply\.bin to .*Done, verified/, 60_000);
      await expect.poll(() => readdirSync(mira.downloadDir).includes('reply.bin'), { timeout: 30_000 }).toBe(true);
      expect(sha(join(mira.downloadDir, 'reply.bin'))).toBe(sha(reply));
      await context.close();
    } finally {
      await mira.kill();
    }
  });
});

/**
 * A gigabyte into the page, as Chromium saves it: into the folder the person chose (the picker
 * answered with the origin's private folder, in a profile on disk). Byte-identical on disk, and
 * the page's renderer grows by at most 150 MB (sampled every 250 ms while it moves). Every
 * Chromium process is measured and printed.
 */
describe('the browser page: 1 GiB to disk', () => {
  let lab: Lab;
  let root: string;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-e2e-web-gib-'));
    lab = Lab.create({ hosts: ['signal', 'ada', 'bo'] });
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await lab?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('arrives byte-identical; the page’s renderer grows by at most 150 MB', { timeout: 300_000 }, async () => {
    const signal = await startSignalHost(lab.host('signal'), 0, ['--web-page', 'yes']);
    const origin = new URL(signal.url).origin;
    const profile = join(root, 'profile');
    context = await launchPersistentChromium(lab.host('bo'), profile, { extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${origin}`] });
    await context.addInitScript(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = () => navigator.storage.getDirectory();
    });
    const ada = cliDevice(lab.host('ada'), { signalingUrl: signal.url, name: 'Ada' });
    const big = join(root, 'one-gib.bin');
    writeRandomFile(big, 1024);
    const expected = await sha256Of(big);
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await waitForText(page.getByRole('status', { name: 'Connection to the server' }), /^Connected to /, 30_000);
    const netns = lab.host('bo').netns as string;
    const all = () => pidsInNamespace(netns, 'chrom');
    const before = pssByProcess(all());
    const peaks = new Map<number, number>();
    /** The page's renderers together (the page, its worker if it has one), at their largest. */
    const renderers = (list: ReturnType<typeof pssByProcess>) => list.filter((p) => p.what === 'renderer').reduce((sum, p) => sum + p.pss, 0);
    const renderersBefore = renderers(before);
    let renderersPeak = renderersBefore;
    const sampler = setInterval(() => {
      const now = pssByProcess(all());
      for (const p of now) peaks.set(p.pid, Math.max(peaks.get(p.pid) ?? 0, p.pss));
      renderersPeak = Math.max(renderersPeak, renderers(now));
    }, 250);
    const started = Date.now();
    try {
      const sender = ada.run('ferry-send-gib', ['send', big], { json: true });
      const code = String((await sender.waitForEvent('code')).code);
      await page.getByRole('textbox', { name: 'Code from the sender' }).fill(code);
      await page.getByRole('button', { name: 'Receive', exact: true }).click();
      await waitForText(page.getByRole('status', { name: 'Transfer status' }), /Done, verified/, 240_000);
      expect(await exitCode(sender, 60_000), sender.process.log).toBe(0);
      const seconds = (Date.now() - started) / 1000;
      clearInterval(sampler);
      // The file as the browser wrote it into the profile (the private folder's files keep their bytes, under names of its own).
      const written = filesOfSize(profile, 1024 * 1024 * 1024);
      expect(written.length, `files of 1 GiB under the profile: ${written.join(', ')}`).toBe(1);
      expect(await sha256Of(written[0] as string)).toBe(expected);
      const rows = before.map((p) => ({ ...p, peak: peaks.get(p.pid) ?? p.pss }));
      console.log(rows.map((p) => `${p.what} ${p.pid}: ${(p.pss / 2 ** 20).toFixed(0)} → ${(p.peak / 2 ** 20).toFixed(0)} MiB`).join('\n'));
      const growth = renderersPeak - renderersBefore;
      console.log(`web-page 1 GiB into a chosen folder: ${(1024 / seconds).toFixed(1)} MiB/s; the page's renderers ${(renderersBefore / 2 ** 20).toFixed(0)} → ${(renderersPeak / 2 ** 20).toFixed(0)} MiB (+${(growth / 2 ** 20).toFixed(0)} MiB)`);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'web-page-gib.json'), JSON.stringify({ seconds, processes: rows, renderersBefore, renderersPeak, growth }, null, 2));
      expect(growth).toBeLessThan(150 * 1e6);
    } finally {
      clearInterval(sampler);
      ada.dispose();
    }
  });
});
