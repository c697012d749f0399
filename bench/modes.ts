import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODE, DELIVERY_MODES, type DeliveryMode, STRIPE_COUNT } from '../src-core/index.js';
import { Lab } from '../e2e/lab/lab.js';
import { startSignalHost } from '../e2e/support/signal-host.js';
import { type EnginePair, ferryTransfer, startEnginePair, writeRandomFile } from './engine-pair.js';
import { measureNdcCeiling } from './ndc-ceiling.js';

export interface LinkProfile {
  name: string;
  /** False: the lab's plain veth bridge, no TUN forwarder. */
  impaired: boolean;
  delayMs: number;
  jitterMs: number;
  loss: number;
  /** Bytes per transfer on this link, as a multiple of --modes-size (impaired links only). */
  sizeFactor?: number;
}

/** The links users have, as the issue names them: clean, lossy with latency, and jittery. */
export const LINK_PROFILES: readonly LinkProfile[] = [
  { name: 'clean bridge', impaired: false, delayMs: 0, jitterMs: 0, loss: 0 },
  { name: 'tun 0% / 0 ms', impaired: true, delayMs: 0, jitterMs: 0, loss: 0, sizeFactor: 4 },
  { name: '1% loss, 20 ms', impaired: true, delayMs: 20, jitterMs: 0, loss: 0.01 },
  { name: '3% loss, 20 ms', impaired: true, delayMs: 20, jitterMs: 0, loss: 0.03 },
  { name: 'jitter 20±15 ms', impaired: true, delayMs: 20, jitterMs: 15, loss: 0, sizeFactor: 2 },
];

export interface ModeResult {
  link: string;
  /** 'automatic' is the app's default setting (reliable-ordered today), striped as shipped. */
  mode: DeliveryMode | 'automatic';
  /** Striped as shipped (1 + STRIPE_COUNT connections asked for), or one connection. */
  striped: boolean;
  /** Connections the sender's engine held (fewer than asked for when a stripe failed to open). */
  connections: number;
  sizeMiB: number;
  MBps: number | null;
  error?: string;
}

export interface LinkCeiling {
  link: string;
  sizeMiB: number;
  /** Raw node-datachannel blast over this link, 1 and 1 + STRIPE_COUNT connections. */
  rawMBps: number | null;
  rawStripedMBps: number | null;
  error?: string;
}

/**
 * What runs on each link: every mode on one connection, then the default as shipped (the
 * 'automatic' setting, striped), then the other modes striped too (to choose the default).
 */
const VARIANTS: ReadonlyArray<{ mode: DeliveryMode | 'automatic'; stripes: number | undefined }> = [
  ...DELIVERY_MODES.map((mode) => ({ mode, stripes: 0 })),
  { mode: 'automatic', stripes: undefined },
  ...DELIVERY_MODES.filter((mode) => mode !== DEFAULT_MODE).map((mode) => ({ mode, stripes: undefined })),
];

/**
 * UDP between two lab hosts only over their TUN link: node-datachannel (libjuice) gathers host
 * candidates on every interface, and the bridge would win. Signaling (TCP) keeps the bridge.
 */
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Every delivery mode on one connection and the default (striped) over every link profile,
 * engine to engine (node-datachannel) end to end, and the raw blast over the same link for
 * reference. A fresh lab per profile; every transfer bounded by `timeoutMs`.
 */
export async function measureModes(
  sizeBytes: number,
  cleanSizeBytes: number,
  options: { profiles?: readonly LinkProfile[]; timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<{ modes: ModeResult[]; ceilings: LinkCeiling[] }> {
  const modes: ModeResult[] = [];
  const ceilings: LinkCeiling[] = [];
  const log = options.log ?? ((line: string) => console.log(line));
  const timeoutMs = options.timeoutMs ?? 5 * 60 * 1000;
  for (const profile of options.profiles ?? LINK_PROFILES) {
    const root = mkdtempSync(join(tmpdir(), 'ferry-modes-'));
    const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    const size = profile.impaired ? Math.round(sizeBytes * (profile.sizeFactor ?? 1)) : cleanSizeBytes;
    const sizeMiB = round(size / 2 ** 20);
    try {
      const signalingUrl = (await startSignalHost(lab.host('signal'))).url;
      if (profile.impaired) {
        await lab.addImpairedLink('alice', 'bob', { ...profile, udpOnlyHere: true });
      }
      const ceiling: LinkCeiling = { link: profile.name, sizeMiB, rawMBps: null, rawStripedMBps: null };
      try {
        ceiling.rawMBps = round((await measureNdcCeiling(lab, { sender: 'alice', receiver: 'bob' }, size, 1, timeoutMs)).MBps);
        ceiling.rawStripedMBps = round((await measureNdcCeiling(lab, { sender: 'alice', receiver: 'bob' }, size, 1 + STRIPE_COUNT, timeoutMs)).MBps);
      } catch (error) {
        ceiling.error = (error as Error).message.split('\n')[0];
      }
      ceilings.push(ceiling);
      log(JSON.stringify(ceiling));

      const file = join(root, `modes-${size}.bin`);
      const sha256 = await writeRandomFile(file, size);
      let pair: EnginePair | undefined;
      let pairStripes: number | undefined | null = null;
      try {
        for (const { mode, stripes } of VARIANTS) {
          let result: ModeResult;
          try {
            if (!pair || pairStripes !== stripes) {
              await pair?.stop();
              pair = undefined;
              pair = await startEnginePair(lab, signalingUrl, stripes === undefined ? {} : { stripes });
              pairStripes = stripes;
            }
            const run = await ferryTransfer(pair, file, { sha256, mode, timeoutMs, sampleMemory: false });
            result = { link: profile.name, mode, striped: stripes === undefined, connections: run.connections, sizeMiB, MBps: round(run.MBps) };
          } catch (error) {
            result = { link: profile.name, mode, striped: stripes === undefined, connections: 1 + (stripes ?? STRIPE_COUNT), sizeMiB, MBps: null, error: (error as Error).message.split('\n')[0] };
            // A failed transfer may leave the link in any state: the next variant starts afresh.
            await pair?.stop();
            pair = undefined;
          }
          // Received copies go: the next transfer of the same file must not be renamed "(1)".
          for (const device of pair ? [pair.bob] : []) rmSync(join(device.app.downloadDir, `modes-${size}.bin`), { force: true });
          modes.push(result);
          log(JSON.stringify(result));
        }
      } finally {
        await pair?.stop();
      }
    } finally {
      await lab.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  }
  return { modes, ceilings };
}
