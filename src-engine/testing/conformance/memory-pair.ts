import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_CHANNEL_SETUP, type DeliveryMode, FrameKind } from '../../../src-core/index.js';
import { nodeRuntime } from '../../../src-node/runtime.js';
import { runEngineHost } from '../../../src-node/engine-host/run-engine-host.js';
import type { EngineSnapshot, SignalingConfig } from '../../index.js';
import { READY_NOTE, serveDevice, START_NOTE } from '../../remote/device-protocol.js';
import { EngineClient } from '../../remote/engine-client.js';
import { MemoryMain } from '../memory-main.js';
import { type MemoryConnection, MemoryNetwork, type WireMessage, type WireVerdict } from '../memory-network.js';
import { memoryPortPair } from '../memory-port.js';
import type { ConformanceDevice, ConformanceFaults, ConformancePair, Side } from './device.js';

/*
 * Two Ferry devices in this process, as the Node host runs them (src-node/engine-host: granted
 * paths, files read from and received to disk, main's services over a port) but on the memory
 * network instead of node-datachannel, with main in memory (settings, an identity key). The
 * test owns the wire: it delays, loses, damages and injects (ConformanceFaults).
 */

const SIGNALING: SignalingConfig = { url: 'http://signal.memory:9000/', key: 'peerjs', iceServers: [], embedded: false, relayOnly: false };

export interface MemoryDevice extends ConformanceDevice {
  readonly main: MemoryMain;
  readonly peerId: string;
  stop(): Promise<void>;
}

/** One device: main in memory, the Node engine host on the network, the test as its view. */
export async function startMemoryDevice(network: MemoryNetwork, options: { deviceName: string; downloadDir: string; claimPeerId?: string }): Promise<MemoryDevice> {
  await mkdir(options.downloadDir, { recursive: true });
  const main = new MemoryMain(options);
  const [mainEnd, hostEnd] = memoryPortPair();
  const rpc = serveDevice(mainEnd, main);
  rpc.onNote(READY_NOTE, () => rpc.note(START_NOTE, main.start(SIGNALING)));
  const host = await runEngineHost(hostEnd, { createPeer: network.createPeer, runtime: nodeRuntime });
  const [viewEnd, servedEnd] = memoryPortPair();
  const served = host.serveView(servedEnd);
  const client = new EngineClient(viewEnd);
  const snapshot = async (): Promise<EngineSnapshot> => client.getSnapshot();
  return {
    name: options.deviceName,
    downloadDir: options.downloadDir,
    main,
    peerId: main.identity.peerId,
    command: (name, ...args) => client.command(name, ...args),
    snapshot,
    waitFor: async (what, check, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = check(client.getSnapshot());
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          // The rows first (what a transfer test needs), then the rest of the snapshot.
          const rows = client.getSnapshot().conversations.flatMap((c) => c.transfers.map((t) => `${t.key} ${t.title} ${t.state} ${t.bytesDone}/${t.totalBytes}${t.error ? ` (${t.error})` : ''}`));
          throw new Error(`${options.deviceName}: timed out waiting for ${what}; rows: ${rows.slice(-8).join('; ')}; last snapshot: ${JSON.stringify(client.getSnapshot()).slice(0, 3000)}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    pick: async (paths) => {
      await rpc.call('grantPaths', [paths]);
    },
    stop: async () => {
      client.close();
      served.close();
      await host.stop();
      rpc.close();
      mainEnd.close();
      viewEnd.close();
    },
  };
}

/** Decodes a control frame for the taps; anything else is named for what it is. */
function decodeControlFrame(data: ArrayBuffer | string): { type: string } & Record<string, unknown> {
  if (typeof data === 'string') return { type: 'text-message' };
  const bytes = new Uint8Array(data);
  if (bytes[0] !== FrameKind.control) return { type: 'not-a-control-frame' };
  try {
    const message = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(1))) as unknown;
    return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string'
      ? (message as { type: string } & Record<string, unknown>)
      : { type: 'unreadable' };
  } catch {
    return { type: 'unreadable' };
  }
}

/** Two devices on a fresh memory network, with the network's fault hooks. */
export async function createMemoryPair(options: { bytesPerMs?: number } = {}): Promise<ConformancePair & { network: MemoryNetwork }> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-memory-pair-'));
  const network = new MemoryNetwork({ runtime: nodeRuntime, bytesPerMs: options.bytesPerMs ?? 10_000 });
  const devices: MemoryDevice[] = [];
  const start = async (deviceName: string, claimPeerId?: string) => {
    const device = await startMemoryDevice(network, { deviceName, downloadDir: join(root, deviceName), ...(claimPeerId ? { claimPeerId } : {}) });
    devices.push(device);
    return device;
  };
  const a = await start('Alice');
  const b = await start('Bob');
  const idOf = (side: Side) => (side === 'a' ? a.peerId : b.peerId);

  // The taps: every control message each device sends on its links, decoded.
  const sent = new Map<string, Array<{ type: string } & Record<string, unknown>>>();
  const withheld = new Map<string, ReadonlySet<string>>();
  network.intercept((m: WireMessage): WireVerdict => {
    if (m.channel !== 'control' || m.kind === 'pairing') return undefined;
    const message = decodeControlFrame(m.data);
    let list = sent.get(m.from);
    if (!list) sent.set(m.from, (list = []));
    list.push(message);
    return withheld.get(m.from)?.has(message.type) ? 'drop' : undefined;
  });
  let loss = 0;
  network.intercept((m) => (m.channel === 'ferry-partial' && loss > 0 && Math.random() < loss ? 'drop' : undefined));

  const linkOf = (side: Side): MemoryConnection => {
    const link = network.openConnections(idOf(side), idOf(side === 'a' ? 'b' : 'a'), 'link')[0];
    if (!link) throw new Error('There is no open link between the two devices.');
    return link;
  };

  const faults: ConformanceFaults = {
    setDelay: (ms, jitterMs = 0) => {
      network.delayMs = ms;
      network.jitterMs = jitterMs;
    },
    dataFrames: (from, what, which, count = 1) =>
      new Promise((resolve) => {
        let index = 0;
        let hits = 0;
        const stop = network.intercept((m) => {
          if (m.from !== idOf(from) || !m.channel.startsWith('ferry-') || typeof m.data === 'string' || new Uint8Array(m.data)[0] !== FrameKind.data) return undefined;
          if (!which(index++)) return undefined;
          if (++hits >= count) {
            stop();
            // Settles once this frame has been dealt with.
            setTimeout(() => resolve(hits), 0);
          }
          if (what === 'drop') return 'drop';
          const damaged = new Uint8Array(m.data.slice(0));
          const at = Math.min(damaged.length - 1, 17 + 100);
          damaged[at] = (damaged[at] as number) ^ 0x5a;
          return { replace: damaged.buffer };
        });
      }),
    lossyPartial: (rate) => {
      loss = rate;
    },
    closeStripe: () => {
      const stripe = network.openConnections(a.peerId, b.peerId, 'stripe')[0] ?? network.openConnections(b.peerId, a.peerId, 'stripe')[0];
      if (!stripe) throw new Error('The link has no open stripe.');
      stripe.close();
    },
    dropLink: () => linkOf('a').close(),
    loseBeforeOpen: (kind, count) => {
      network.toLoseBeforeOpen.set(kind, count);
    },
    inject: (from, channel, frame) => {
      const link = linkOf(from);
      const target = channel === 'control' ? link.dataChannel : link.peerConnection.negotiated.get(DATA_CHANNEL_SETUP[channel as DeliveryMode].id);
      if (!target) throw new Error(`The link has no ${channel} channel.`);
      target.send(frame.slice().buffer);
    },
    controlSent: (from) => [...(sent.get(idOf(from)) ?? [])],
    withhold: (from, types) => {
      if (types) withheld.set(idOf(from), new Set(types));
      else withheld.delete(idOf(from));
    },
    manInTheMiddle: (on) => {
      network.manInTheMiddle = on;
    },
    squatter: (peerId) => start('Squatter', peerId),
  };

  return {
    a,
    b,
    faults,
    network,
    close: async () => {
      await Promise.all(devices.map((d) => d.stop().catch(() => {})));
      await rm(root, { recursive: true, force: true });
    },
  };
}
