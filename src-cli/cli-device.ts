import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine, EngineSnapshot } from '../src-engine/index.js';
import { engineDeviceServices, engineStart } from '../src-main/engine/device-services.js';
import { HistoryStore } from '../src-main/files/history-store.js';
import { OutgoingStore } from '../src-main/files/outgoing-store.js';
import { IdentityStore } from '../src-main/identity/identity-store.js';
import { type LanSource, startLanSource } from '../src-main/lan/lan-source.js';
import { webPageAt } from '../signaling-server/src/index.js';
import { createMainServices } from '../src-main/services.js';
import { SettingsStore } from '../src-main/settings/store.js';
import { fetchJsonWithTimeout, resolveSignalingSource } from '../src-main/signaling/signaling-source.js';
import { createNodeEngine, type NodeEngine } from '../src-node/engine-host/node-engine.js';
import type { CommonOptions } from './args.js';
import { defaultConfigDir } from './config-dir.js';
import { terminalPlatform } from './terminal-platform.js';
import { CLI_VERSION } from './version.js';

export interface CliDevice {
  readonly engine: Engine;
  readonly node: NodeEngine;
  readonly settings: SettingsStore;
  /** Where received files go. */
  readonly downloadDir: string;
  snapshot(): EngineSnapshot;
  /** Calls `listener` on every change of the engine's state. */
  subscribe(listener: () => void): () => void;
  /**
   * Gives the last messages (a receiver's `complete`, a cancel) time to leave before the process
   * closes its connections: until the other side has closed them, or LINGER_MS.
   */
  linger(): Promise<void>;
  /** Ends every connection and the signaling (the built-in LAN server too, if this one hosted it). */
  stop(): Promise<void>;
}

/** How long a finished command waits for its last messages to leave (see CliDevice.linger). */
const LINGER_MS = 1500;

/**
 * This computer as a Ferry device for one command: its identity and settings from the config
 * folder, main's Electron-free services, and the engine in this process (a CLI has no window to
 * keep apart from the network).
 */
export async function openCliDevice(
  options: CommonOptions & {
    downloadDir?: string | undefined;
    log: (message: string) => void;
    /** False: no offer is taken without the command saying so (`listen --accept ask`), paired or not. */
    autoAcceptPaired?: boolean;
  },
): Promise<CliDevice> {
  const configDir = resolve(options.configDir ?? defaultConfigDir(process.env));
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const warn = (message: string) => options.log(message);
  const settings = await SettingsStore.open({ file: join(configDir, 'settings.json'), defaultDeviceName: hostname(), warn });
  // No OS key store from a terminal: the key file is the user's alone (0600), as ssh keeps its keys.
  const identity = await IdentityStore.open({ file: join(configDir, 'identity.json') });
  const setting = settings.get().signaling;
  let lan: LanSource | undefined;
  const signaling = await resolveSignalingSource({
    configuredUrl: options.signal ?? process.env.FERRY_SIGNALING_URL ?? (setting.kind === 'custom' ? setting.url : undefined),
    configuredKey: process.env.FERRY_SIGNALING_KEY,
    configuredToken: options.token ?? process.env.FERRY_SIGNALING_TOKEN ?? (setting.kind === 'custom' ? setting.token : undefined),
    startEmbedded: async () => {
      lan = await startLanSource({ webPage: webPageAt(fileURLToPath(new URL('../web/', import.meta.url))) });
      return { url: lan.url, close: () => (lan as LanSource).close() };
    },
    fetchJson: fetchJsonWithTimeout,
    warn,
  });
  const downloadDir = resolve(options.downloadDir ?? process.cwd());
  const services = createMainServices({
    settings,
    appVersion: CLI_VERSION,
    platform: process.platform,
    kind: 'cli',
    desktop: terminalPlatform,
    signalingConfig: async () => signaling.config,
    defaultDownloadDir: downloadDir,
    lanStatus: () => lan?.status(),
    identity,
    warn,
  });
  const keeps = {
    outgoing: await OutgoingStore.open(join(configDir, 'outgoing-transfers.json'), warn),
    history: await HistoryStore.open(join(configDir, 'transfer-history.json'), warn),
  };
  const savedPaths = services.downloads.savedPaths;
  const node = await createNodeEngine({ device: engineDeviceServices(services, savedPaths, keeps), fileSaved: (path) => savedPaths.add(path), warn });
  const start = await engineStart(services, keeps);
  // What it was sending when it last ran (to a paired device): granted then, offered again now.
  node.granted.grant(start.outgoing?.flatMap((record) => record.paths) ?? []);
  // For this run only (the settings file keeps the person's choice for other commands).
  const settingsNow = options.autoAcceptPaired === false ? { ...start.settings, autoAcceptTrusted: false } : start.settings;
  node.engine.start({ ...start, settings: settingsNow, downloadDir });
  if (process.env.FERRY_CLI_DEBUG) {
    let last = '';
    node.engine.subscribe(() => {
      const s = node.engine.getSnapshot();
      const line = JSON.stringify(s.conversations.map((c) => ({ id: c.peerId, state: c.state, error: c.error, rows: c.transfers.map((t) => [t.key, t.state, t.error]) })));
      if (line !== last) process.stderr.write(`debug ${line}\n`);
      last = line;
    });
  }
  return {
    engine: node.engine,
    node,
    settings,
    downloadDir,
    snapshot: () => node.engine.getSnapshot(),
    subscribe: (listener) => node.engine.subscribe(listener),
    linger: () =>
      new Promise<void>((resolve) => {
        const open = () => node.engine.getSnapshot().conversations.some((c) => c.state === 'open');
        if (!open()) return resolve();
        const timer = setTimeout(finish, LINGER_MS);
        const unsubscribe = node.engine.subscribe(() => {
          if (!open()) finish();
        });
        function finish() {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      }),
    stop: async () => {
      await node.stop();
      await services.downloads.abortAll();
      await signaling.close();
    },
  };
}
