import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './lab/chromium.js';
import { type FerryPage, openFerryPage } from './lab/ferry-page.js';
import { Lab } from './lab/lab.js';
import type { TrackedProcess } from './lab/processes.js';
import { startSignalHost } from './support/signal-host.js';
import { waitForText } from './support/wait.js';

const NODE_PEER = fileURLToPath(new URL('./hosts/node-peer.ts', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../test-results/integration/', import.meta.url));
/** The node peer derives its id from its identity key, as the app does. */
const NODE_PEER_ID = 'auto';

describe('the stock peerjs client in Node (@roamhq/wrtc) talks to a Chromium peer', () => {
  let lab: Lab;
  let browser: Browser | undefined;
  let chromiumPeer: FerryPage;
  let nodePeer: TrackedProcess;

  const command = (cmd: Record<string, string>) => nodePeer.child.stdin?.write(`${JSON.stringify(cmd)}\n`);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    lab = Lab.create({ hosts: ['signal', 'browser', 'node'] });
    const signal = await startSignalHost(lab.host('signal'));
    nodePeer = lab
      .host('node')
      .spawn('node-peer', process.execPath, ['--import', 'tsx', NODE_PEER, signal.url, NODE_PEER_ID, 'Node peer']);
    browser = await launchChromium(lab.host('browser'));
    chromiumPeer = await openFerryPage(browser, lab.host('browser'), { deviceName: 'Chromium peer', signalingUrl: signal.url, peerJsDebug: 3 });
    await nodePeer.waitForLine(/"event":"ready"/, 30_000);
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await lab?.dispose();
  });

  it('Node connects to Chromium and they exchange messages both ways', async () => {
    const page = chromiumPeer.page;
    try {
      await waitForText(page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/);
      const chromiumId = await waitForText(page.getByRole('status', { name: 'Your device id' }), /^ferry-/);

      command({ cmd: 'connect', peerId: chromiumId });
      const opened = await nodePeer.waitForLine(/"event":"opened"/, 30_000);
      expect(JSON.parse(opened)).toEqual({ event: 'opened', peer: chromiumId, peerName: 'Chromium peer' });

      const chat = page.getByRole('region', { name: 'Conversation with Node peer' });
      await waitForText(chat.getByRole('status', { name: 'Connection to Node peer' }), /^Connected$/);

      command({ cmd: 'send', body: 'from Node, über WebRTC' });
      await waitForText(chat.getByRole('log', { name: 'Messages with Node peer' }), /from Node, über WebRTC/);
      await nodePeer.waitForLine(/"event":"delivered"/, 10_000);

      await chat.getByRole('textbox', { name: 'Message to Node peer' }).fill('from Chromium');
      await chat.getByRole('button', { name: 'Send message' }).click();
      const received = await nodePeer.waitForLine(/"event":"text"/, 10_000);
      expect(JSON.parse(received)).toEqual({ event: 'text', body: 'from Chromium' });
      await waitForText(chat.getByRole('log', { name: 'Messages with Node peer' }), /from Chromium.*Delivered/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nnode peer:\n${nodePeer.log}\nchromium:\n${chromiumPeer.logs.join('\n')}`, {
        cause: error,
      });
    } finally {
      await page.screenshot({ path: `${ARTIFACTS}node-interop-chromium.png`, fullPage: true }).catch(() => {});
    }
  });

  it('a peer that sends a malformed frame gets a clear error; Chromium stays up and talks again', async () => {
    const page = chromiumPeer.page;
    const chat = page.getByRole('region', { name: 'Conversation with Node peer' });
    try {
      command({ cmd: 'garbage' });
      await waitForText(chat.getByRole('status', { name: 'Connection to Node peer' }), /^Connection failed$/);
      await waitForText(chat.getByRole('alert'), /Invalid UTF-8 at byte 1/);
      // The hostile side is told why before the channel closes.
      const closed = await nodePeer.waitForLine(/"event":"closed"/, 10_000);
      expect(JSON.parse(closed).error).toMatch(/FRAME_INVALID_UTF8/);

      await waitForText(page.getByRole('status', { name: 'Signaling connection' }), /^Connected$/);
      const chromiumId = await page.getByRole('status', { name: 'Your device id' }).textContent();
      const reopened = nodePeer.waitForLine(/"event":"opened"/, 30_000, { fresh: true });
      command({ cmd: 'connect', peerId: chromiumId ?? '' });
      await reopened;
      await waitForText(chat.getByRole('status', { name: 'Connection to Node peer' }), /^Connected$/);
      command({ cmd: 'send', body: 'second try' });
      await waitForText(chat.getByRole('log', { name: 'Messages with Node peer' }), /second try/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nnode peer:\n${nodePeer.log}\nchromium:\n${chromiumPeer.logs.join('\n')}`, {
        cause: error,
      });
    } finally {
      await page.screenshot({ path: `${ARTIFACTS}node-interop-malformed.png`, fullPage: true }).catch(() => {});
    }
  });

  it('a peer whose key does not derive its id is refused by session authentication, in words, on both sides', { timeout: 60_000 }, async () => {
    const signalUrl = new URL((await chromiumPeer.page.evaluate(async () => (await (window as unknown as { ferry: { getSignalingConfig(): Promise<{ value: { url: string } }> } }).ferry.getSignalingConfig()).value.url))).href;
    // A squatter: it holds an id on the server that its key does not derive.
    const squatter = lab.host('node').spawn('squatter', process.execPath, ['--import', 'tsx', NODE_PEER, signalUrl, 'ferry-nodepeernodepeer', 'Squatter']);
    await squatter.waitForLine(/"event":"ready"/, 30_000);
    const chromiumId = await chromiumPeer.page.getByRole('status', { name: 'Your device id' }).textContent();
    squatter.child.stdin?.write(`${JSON.stringify({ cmd: 'connect', peerId: chromiumId })}\n`);
    const failed = await squatter.waitForLine(/"event":"auth-failed"/, 30_000);
    expect(JSON.parse(failed).message).toMatch(/refused this connection: .*key does not match its id/);
    expect(squatter.log).not.toMatch(/"event":"opened"/);
    const chat = chromiumPeer.page.getByRole('region', { name: 'Conversation with ferry-nodepeernodepeer' });
    await waitForText(chat.getByRole('status', { name: 'Connection to ferry-nodepeernodepeer' }), /^Connection failed$/);
    await waitForText(chat.getByRole('alert'), /key does not match its id: it is not who the server says it is/);
    await squatter.stop();
  });
});
