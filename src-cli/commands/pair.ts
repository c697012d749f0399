import type { CliDevice } from '../cli-device.js';
import { signalingConnected, until } from '../follow.js';
import type { Output } from '../output/output.js';
import { CliFailure } from '../usage.js';

/** A pairing code lives 10 minutes; the wait for the other side is bounded a little past that. */
const PAIRING_WAIT_MS = 11 * 60_000;
/** How long the new paired device may take to reach the settings file. */
const SAVE_WAIT_MS = 5_000;

/** `ferry pair [code]`: shows a code, or types one; ends paired (saved) or in words. */
export async function pair(device: CliDevice, output: Output, code: string | undefined, signal: AbortSignal): Promise<void> {
  await signalingConnected(device, signal);
  if (code === undefined) device.engine.showPairingCode();
  else device.engine.enterPairingCode(code);
  const failed = (s: ReturnType<CliDevice['snapshot']>): undefined => {
    if (s.pairing?.kind === 'failed') throw new CliFailure(s.pairing.message, 'PAIRING_FAILED');
    return undefined;
  };
  try {
    if (code === undefined) {
      const shown = await until(device, (s) => (s.pairing?.kind === 'showing' ? s.pairing : failed(s)), { signal, timeoutMs: 30_000, timeoutMessage: 'No code came from the signaling server.' });
      output.result(`Pairing code: ${shown.code}\nOn the other device run: ferry pair ${shown.code}   (or type it in Ferry: Pair with a device)`, { event: 'code', code: shown.code, expiresAt: shown.expiresAt });
    }
    const paired = await until(device, (s) => (s.pairing?.kind === 'paired' ? s.pairing : failed(s)), { signal, timeoutMs: PAIRING_WAIT_MS, timeoutMessage: 'Nobody used the code.' });
    await savedAsPaired(device, paired.peerId);
    output.result(`Paired with ${paired.name} (${paired.peerId}).\nCheck that ${paired.name} shows the same words: ${paired.sas.join(' ')}`, { event: 'paired', peerId: paired.peerId, name: paired.name, words: paired.sas });
  } catch (error) {
    device.engine.cancelPairing();
    throw error;
  }
}

/** The engine saves the device through the settings store: the process must not end before it has. */
async function savedAsPaired(device: CliDevice, peerId: string): Promise<void> {
  const deadline = Date.now() + SAVE_WAIT_MS;
  while (!device.settings.get().trustedDevices.some((d) => d.peerId === peerId && d.publicKey !== undefined)) {
    if (Date.now() > deadline) throw new CliFailure('Paired, but the paired device could not be saved.', 'SAVE_FAILED');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await device.settings.flushed();
}
