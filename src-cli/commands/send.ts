import { resolve } from 'node:path';
import { pairedDevices } from '../../src-engine/index.js';
import type { CliDevice } from '../cli-device.js';
import { followTransfer, signalingConnected, transferOutcome, until } from '../follow.js';
import type { Output } from '../output/output.js';
import { CliFailure } from '../usage.js';

/** A code lives 10 minutes (SPEC.md, "Transfer codes"); the wait for its taker is bounded a little past that. */
const CODE_WAIT_MS = 11 * 60_000;
/** How long a paired device may take to answer a dial. */
const CONNECT_WAIT_MS = 45_000;

/** `ferry send`: with a one-time code, or `--to` a paired device. Resolves once the files are verified there. */
export async function send(device: CliDevice, output: Output, paths: string[], to: string | undefined, signal: AbortSignal): Promise<void> {
  const absolute = paths.map((path) => resolve(path));
  // Named on this command line by the person running it: the only paths this run may send.
  device.node.granted.grant(absolute);
  const files = await device.node.filesOf(absolute);
  try {
    await signalingConnected(device, signal);
  } catch (error) {
    void files.release?.();
    throw error;
  }
  const { peerId, key } = to === undefined ? await offerWithCode(device, output, files, signal) : await offerTo(device, output, files, to, signal);
  const row = await followTransfer(device, output, peerId, key, signal, to === undefined ? 'fail' : 'wait');
  const outcome = transferOutcome(row);
  if (!outcome.ok) throw new CliFailure(outcome.message, outcome.code);
  output.result(`Sent ${row.title} (${row.fileCount} ${row.fileCount === 1 ? 'file' : 'files'}), verified by the receiver.`, { event: 'sent', transfer: row.key, title: row.title, files: row.fileCount, totalBytes: row.totalBytes });
}

type Files = Awaited<ReturnType<CliDevice['node']['filesOf']>>;

type Snapshot = ReturnType<CliDevice['snapshot']>;

/** Outgoing transfers that exist now: the one this run starts is the one not among them. */
function outgoingNow(device: CliDevice): (s: Snapshot, peerId: string) => { peerId: string; key: string } | undefined {
  const before = new Set(device.snapshot().conversations.flatMap((c) => c.transfers.map((t) => `${c.peerId}/${t.key}`)));
  return (s, peerId) => {
    const row = s.conversations.find((c) => c.peerId === peerId)?.transfers.find((t) => t.direction === 'out' && !before.has(`${peerId}/${t.key}`));
    return row ? { peerId, key: row.key } : undefined;
  };
}

async function offerWithCode(device: CliDevice, output: Output, files: Files, signal: AbortSignal): Promise<{ peerId: string; key: string }> {
  const added = outgoingNow(device);
  device.engine.sendFilesWithCode(files);
  try {
    const shown = await until(device, (s) => (s.codeTransfer?.kind === 'showing' ? s.codeTransfer : failedCode(s)), { signal, timeoutMs: 30_000, timeoutMessage: 'No code came from the signaling server.' });
    output.result(`Code: ${shown.code}\nOn the other device run: ferry receive ${shown.code}   (or type it in Ferry: Receive with a code)`, { event: 'code', code: shown.code, expiresAt: shown.expiresAt });
    const peer = await until(device, (s) => (s.codeTransfer?.kind === 'connected' ? s.codeTransfer : failedCode(s)), { signal, timeoutMs: CODE_WAIT_MS, timeoutMessage: 'Nobody used the code.' });
    output.status(`${peer.name} has the code; sending…`);
    return await until(device, (s) => added(s, peer.peerId) ?? failedCode(s), { signal });
  } catch (error) {
    device.engine.cancelCodeTransfer();
    throw error;
  }
}

function failedCode(s: Snapshot): undefined {
  if (s.codeTransfer?.kind === 'failed') throw new CliFailure(s.codeTransfer.message, 'CODE_FAILED');
  return undefined;
}

/** A paired device by name (any case) or id: exactly one, or a failure that lists them. */
export function findPaired(device: CliDevice, wanted: string): { peerId: string; name: string } {
  const paired = pairedDevices(device.settings.get().trustedDevices);
  const byId = paired.find((d) => d.peerId === wanted);
  if (byId) return byId;
  const byName = paired.filter((d) => d.name.toLowerCase() === wanted.trim().toLowerCase());
  if (byName.length === 1 && byName[0]) return byName[0];
  const known = paired.map((d) => `${d.name} (${d.peerId})`).join(', ') || 'none yet (ferry pair)';
  if (byName.length > 1) throw new CliFailure(`Several paired devices are called "${wanted}"; name one by its id: ${known}.`, 'DEVICE_AMBIGUOUS');
  throw new CliFailure(`No paired device is called "${wanted}". Paired devices: ${known}.`, 'DEVICE_UNKNOWN');
}

async function offerTo(device: CliDevice, output: Output, files: Files, to: string, signal: AbortSignal): Promise<{ peerId: string; key: string }> {
  let target: { peerId: string; name: string };
  try {
    target = findPaired(device, to);
  } catch (error) {
    void files.release?.();
    throw error;
  }
  const { peerId, name } = target;
  const isOpen = (s: Snapshot) => s.conversations.find((c) => c.peerId === peerId)?.state === 'open';
  if (!isOpen(device.snapshot())) {
    output.status(`Connecting to ${name}…`);
    device.engine.connectTo(peerId);
    try {
      await until(
        device,
        (s) => {
          if (isOpen(s)) return true;
          const conversation = s.conversations.find((c) => c.peerId === peerId);
          if (conversation?.state === 'failed') throw new CliFailure(conversation.error ?? `Could not connect to ${name}.`, 'CONNECT_FAILED');
          return undefined;
        },
        { signal, timeoutMs: CONNECT_WAIT_MS, timeoutMessage: `${name} did not answer: is Ferry running there?` },
      );
    } catch (error) {
      void files.release?.();
      throw error;
    }
  }
  const added = outgoingNow(device);
  device.engine.sendFiles(peerId, files);
  return until(device, (s) => added(s, peerId), { signal, timeoutMs: 10_000, timeoutMessage: 'The offer did not start.' });
}
