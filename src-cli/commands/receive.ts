import { readdir } from 'node:fs/promises';
import { STAGING_PREFIX } from '../../src-node/files/node-file-sink.js';
import type { CliDevice } from '../cli-device.js';
import { followTransfer, signalingConnected, transferOutcome, until } from '../follow.js';
import type { Output } from '../output/output.js';
import { CliFailure } from '../usage.js';

/** How long removing a cancelled download's staged bytes may take before the process exits anyway. */
const STAGING_REMOVAL_MS = 5_000;

/** Resolves once the download folder holds no staging of this run (or after STAGING_REMOVAL_MS). */
async function stagingGone(dir: string): Promise<void> {
  const deadline = Date.now() + STAGING_REMOVAL_MS;
  while (Date.now() < deadline) {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (!names.some((name) => name.startsWith(STAGING_PREFIX))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** After the code exchange the sender's offer follows at once; the engine bounds it too (a minute). */
const OFFER_WAIT_MS = 90_000;

/** `ferry receive <code>`: takes the one offer of the device showing the code, into the download folder. */
export async function receive(device: CliDevice, output: Output, code: string, signal: AbortSignal): Promise<void> {
  await signalingConnected(device, signal);
  const before = new Set(device.snapshot().conversations.flatMap((c) => c.transfers.map((t) => `${c.peerId}/${t.key}`)));
  device.engine.receiveWithCode(code);
  const failed = (s: ReturnType<CliDevice['snapshot']>): undefined => {
    if (s.codeTransfer?.kind === 'failed') throw new CliFailure(s.codeTransfer.message, 'CODE_FAILED');
    return undefined;
  };
  let found: { peerId: string; key: string };
  try {
    const peer = await until(device, (s) => (s.codeTransfer?.kind === 'connected' ? s.codeTransfer : failed(s)), { signal, timeoutMs: 60_000, timeoutMessage: 'The code exchange did not finish.' });
    output.status(`Connected to ${peer.name}; receiving into ${device.downloadDir}…`);
    found = await until(
      device,
      (s) => {
        const row = s.conversations.find((c) => c.peerId === peer.peerId)?.transfers.find((t) => t.direction === 'in' && !before.has(`${peer.peerId}/${t.key}`));
        return row ? { peerId: peer.peerId, key: row.key } : failed(s);
      },
      { signal, timeoutMs: OFFER_WAIT_MS, timeoutMessage: `${peer.name} sent nothing.` },
    );
  } catch (error) {
    device.engine.cancelCodeTransfer();
    throw error;
  }
  const row = await followTransfer(device, output, found.peerId, found.key, signal, 'fail').catch(async (error: unknown) => {
    // Cancelled, failed or cut off: the staged bytes are being removed; the process waits for it.
    await stagingGone(device.downloadDir);
    throw error;
  });
  const outcome = transferOutcome(row);
  if (!outcome.ok) throw new CliFailure(outcome.message, outcome.code);
  output.result(['Received, verified:', ...row.savedPaths.map((path) => `  ${path}`)].join('\n'), { event: 'received', transfer: row.key, title: row.title, files: row.fileCount, totalBytes: row.totalBytes, savedPaths: row.savedPaths });
}
