import { fileURLToPath } from 'node:url';
import type { LabHost } from '../lab/lab.js';
import type { TrackedProcess } from '../lab/processes.js';

const BIN = fileURLToPath(new URL('../../signaling-server/bin/ferry-signal.js', import.meta.url));

/** Starts the real `ferry-signal` bin on a lab host and waits until it listens. */
export async function startSignalHost(host: LabHost, port = 9000): Promise<{ url: string; process: TrackedProcess }> {
  const proc = host.spawn('ferry-signal', process.execPath, [BIN, '--host', host.address === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0', '--port', String(port)]);
  await proc.waitForLine(/signaling server listening/, 15_000);
  return { url: `http://${host.address}:${port}/`, process: proc };
}
