import { fileURLToPath } from 'node:url';
import type { LabHost } from '../lab/lab.js';
import type { TrackedProcess } from '../lab/processes.js';

const BIN = fileURLToPath(new URL('../../signaling-server/bin/ferry-signal.js', import.meta.url));

/**
 * Starts the real `ferry-signal` bin on a lab host and waits until it listens. Port 0 picks a
 * free one (on the host network a fixed port may be taken); pass the port back to restart.
 * `extraArgs` go on the command line after --host and --port (say, --turn-url … --turn-secret …).
 */
export async function startSignalHost(
  host: LabHost,
  port = 0,
  extraArgs: readonly string[] = [],
): Promise<{ url: string; port: number; process: TrackedProcess }> {
  const bind = host.netns ? '0.0.0.0' : '127.0.0.1';
  const proc = host.spawn('ferry-signal', process.execPath, [BIN, '--host', bind, '--port', String(port), ...extraArgs]);
  const line = await proc.waitForLine(/signaling server listening/, 15_000);
  const actualPort = (JSON.parse(line) as { port: number }).port;
  return { url: `http://${host.address}:${actualPort}/`, port: actualPort, process: proc };
}
