import { pairedDevices, type TransferRow } from '../../src-engine/index.js';
import type { AcceptPolicy } from '../args.js';
import type { CliDevice } from '../cli-device.js';
import { signalingConnected } from '../follow.js';
import type { Output } from '../output/output.js';
import { endedEvent } from '../output/transfer-event.js';

/** Asks the person at the terminal; resolves true for yes. */
export type Ask = (question: string) => Promise<boolean>;

/**
 * `ferry listen`: online until Ctrl-C, receiving what paired devices send — accepted by policy,
 * or asked about one offer at a time. An offer from a device that is not paired is declined
 * under the `paired` policy (the sender sees a decline, not silence). Ctrl-C is its normal end.
 */
export async function listen(device: CliDevice, output: Output, policy: AcceptPolicy, ask: Ask, signal: AbortSignal): Promise<void> {
  await signalingConnected(device, signal);
  const s = device.snapshot();
  output.result(`Listening as ${s.device?.name ?? 'this device'} (${s.signaling?.peerId ?? '?'}); files go to ${device.downloadDir}. Ctrl-C to stop.`, {
    event: 'listening',
    peerId: s.signaling?.peerId,
    name: s.device?.name,
    downloadDir: device.downloadDir,
  });
  const handled = new Set<string>();
  const asking: Array<{ peerId: string; name: string; row: TransferRow }> = [];
  let askingNow = false;
  const askNext = async () => {
    if (askingNow) return;
    askingNow = true;
    for (let next = asking.shift(); next; next = asking.shift()) {
      const { peerId, name, row } = next;
      const yes = await ask(`${name} wants to send ${row.title} (${row.fileCount} ${row.fileCount === 1 ? 'file' : 'files'}). Accept? [y/N] `).catch(() => false);
      if (yes) device.engine.acceptTransfer(peerId, row.key);
      else device.engine.declineTransfer(peerId, row.key);
    }
    askingNow = false;
  };
  const look = () => {
    const snapshot = device.snapshot();
    const paired = new Set(pairedDevices(device.settings.get().trustedDevices).map((d) => d.peerId));
    for (const conversation of snapshot.conversations) {
      const name = conversation.peerName ?? conversation.peerId;
      for (const row of conversation.transfers) {
        if (row.direction !== 'in') continue;
        const id = `${conversation.peerId}/${row.key}`;
        if (row.state === 'offered' && !handled.has(id)) {
          handled.add(id);
          if (policy === 'ask') {
            asking.push({ peerId: conversation.peerId, name, row });
            void askNext();
          } else if (paired.has(conversation.peerId)) {
            device.engine.acceptTransfer(conversation.peerId, row.key);
          } else {
            output.status(`Declined ${row.title} from ${name}: not paired with this device.`);
            device.engine.declineTransfer(conversation.peerId, row.key);
          }
          continue;
        }
        const ended = endedEvent(name, row);
        if (!handled.has(`${id}/shown`) && (row.state === 'active' || row.state === 'paused' || row.state === 'interrupted' || ended)) {
          output.transfer(name, row);
          if (ended) {
            handled.add(`${id}/shown`);
            output.transferEnded(ended, row);
            if (output.mode !== 'json') output.result(ended.event === 'done' ? `Received from ${name}: ${row.savedPaths.join(', ')}` : `${row.title} from ${name}: ${ended.message ?? ended.event}`, { event: ended.event });
          }
        }
      }
    }
  };
  // Rows that ended before this run (history of earlier runs) are not news.
  for (const c of device.snapshot().conversations) for (const row of c.transfers) if (endedEvent('', row)) handled.add(`${c.peerId}/${row.key}/shown`);
  const unsubscribe = device.subscribe(look);
  look();
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  unsubscribe();
  // Ctrl-C: what is still moving is cancelled, so no side waits for the other.
  for (const c of device.snapshot().conversations) {
    for (const row of c.transfers) if (row.direction === 'in' && !endedEvent('', row)) device.engine.cancelTransfer(c.peerId, row.key);
  }
}
