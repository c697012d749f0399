import { pairedDevices } from '../../src-engine/index.js';
import type { CliDevice } from '../cli-device.js';
import { signalingConnected } from '../follow.js';
import type { Output } from '../output/output.js';

/** `ferry devices`: paired devices (online or not, after a look of `waitMs`) and devices nearby. */
export async function devices(device: CliDevice, output: Output, waitMs: number, signal: AbortSignal): Promise<void> {
  await signalingConnected(device, signal);
  // Presence is learned by dialling each paired device; nearby ones by asking the LAN server.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const s = device.snapshot();
  const paired = pairedDevices(device.settings.get().trustedDevices);
  const lines: string[] = [paired.length ? 'Paired:' : 'Paired: none yet (ferry pair)'];
  for (const d of paired) {
    const presence = s.presence[d.peerId]?.kind ?? 'checking';
    const online = presence === 'online' ? true : presence === 'offline' || presence === 'unpaired-there' ? false : null;
    const words = presence === 'unpaired-there' ? 'no longer paired there' : presence;
    lines.push(`  ${d.name}${d.kind ? ` (${d.kind})` : ''} — ${words} — ${d.peerId}`);
    if (output.mode === 'json') output.result('', { event: 'device', peerId: d.peerId, name: d.name, paired: true, online, kind: d.kind ?? null });
  }
  const pairedIds = new Set(paired.map((d) => d.peerId));
  const nearby = s.nearby.filter((id) => !pairedIds.has(id));
  lines.push(nearby.length ? 'Nearby (not paired):' : 'Nearby: none found');
  for (const id of nearby) {
    const name = s.nearbyNames[id];
    lines.push(`  ${name ?? 'A Ferry device'} — ${id}`);
    if (output.mode === 'json') output.result('', { event: 'device', peerId: id, name: name ?? null, paired: false, online: true, kind: null });
  }
  if (output.mode !== 'json') output.result(lines.join('\n'), { event: 'devices' });
}
