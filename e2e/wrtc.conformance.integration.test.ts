import { idDigits } from './support/peer-ids.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { RemoteConformancePeer } from '../src-main/transfer/conformance/rpc.js';
import { type ConformanceLink, defineTransferConformance } from '../src-main/transfer/conformance/suite.js';
import { Lab } from './lab/lab.js';
import type { TrackedProcess } from './lab/processes.js';
import { startSignalHost } from './support/signal-host.js';

const PEER = fileURLToPath(new URL('./hosts/conformance-peer.ts', import.meta.url));

let lab: Lab;
let signalingUrl: string;
let linkCount = 0;

beforeAll(async () => {
  lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
  signalingUrl = (await startSignalHost(lab.host('signal'))).url;
});

afterAll(async () => {
  await lab?.dispose();
});

function remote(proc: TrackedProcess, name: string, downloadDir: string): RemoteConformancePeer {
  return new RemoteConformancePeer(name, downloadDir, (line) => proc.child.stdin?.write(line), (listener) => proc.onLine(listener));
}

/** Two Node peers on two lab hosts, each its own process, meeting through ferry-signal. */
async function wrtcLink(root: string): Promise<ConformanceLink> {
  const n = ++linkCount;
  const ids = { alice: `ferry-alicealice${idDigits(n, 6)}`, bob: `ferry-bobbobbobb${idDigits(n, 6)}` };
  const dirs = { alice: join(root, 'alice'), bob: join(root, 'bob') };
  const spawn = (host: 'alice' | 'bob', name: string, extra: string[]) =>
    lab.host(host).spawn(`${host}-peer`, process.execPath, ['--import', 'tsx', PEER, signalingUrl, ids[host], name, dirs[host], ...extra]);
  const bob = spawn('bob', 'Bob', []);
  await bob.waitForLine(/"event":"registered"/, 30_000);
  const alice = spawn('alice', 'Alice', [ids.bob]);
  try {
    await Promise.all([alice.waitForLine(/"event":"ready"/, 30_000), bob.waitForLine(/"event":"ready"/, 30_000)]);
  } catch (error) {
    await Promise.all([alice.stop(), bob.stop()]);
    throw new Error(`${(error as Error).message}\n--- alice:\n${alice.log}\n--- bob:\n${bob.log}`, { cause: error });
  }
  return {
    a: remote(alice, 'Alice', dirs.alice),
    b: remote(bob, 'Bob', dirs.bob),
    close: async () => {
      await Promise.all([alice.stop(), bob.stop()]);
    },
  };
}

defineTransferConformance('@roamhq/wrtc between two lab hosts', { createLink: wrtcLink, timeoutMs: 90_000 });
