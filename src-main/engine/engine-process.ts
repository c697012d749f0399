import { join } from 'node:path';
import { type BrowserWindow, MessageChannelMain, type UtilityProcess, utilityProcess } from 'electron';
import { backoffDelay } from '../../src-core/index.js';
import type { MainServices } from '../ipc/dispatcher.js';
import type { HistoryStore } from '../files/history-store.js';
import type { OutgoingStore } from '../files/outgoing-store.js';
import { ENGINE_PORT_CHANNEL } from '../preload/channels.js';
import type { SettingsStore } from '../settings/store.js';
import { type EngineLink, linkEngine } from './engine-link.js';

/** The message the engine's process takes a window's port with (src-node/engine-host/utility-entry.ts). */
const VIEW_PORT_MESSAGE = { t: 'view-port' };
/** An engine that ran this long before it stopped starts again without waiting. */
const STABLE_MS = 60_000;

/**
 * Electron glue: the engine in a utility process (out/main/engine.js), linked to main's services;
 * each load of the window gets a fresh MessagePort to it (the old one closes with the page). An
 * engine that stops without being asked is started again (backoff), and the window reconnected.
 */
export function startEngineProcess(options: { services: MainServices; settings: SettingsStore; savedPaths: Set<string>; outgoing?: OutgoingStore; history?: HistoryStore }): {
  grantPaths(paths: string[]): Promise<unknown>;
  connectWindow(window: BrowserWindow): void;
  stop(): void;
} {
  let child: UtilityProcess;
  let link: EngineLink;
  let window: BrowserWindow | undefined;
  let stopping = false;
  let crashes = 0;
  const connect = () => {
    if (!window || window.isDestroyed()) return;
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage(VIEW_PORT_MESSAGE, [port1]);
    window.webContents.postMessage(ENGINE_PORT_CHANNEL, null, [port2]);
  };
  const start = () => {
    const startedAt = Date.now();
    child = utilityProcess.fork(join(import.meta.dirname, 'engine.js'), [], { serviceName: 'Ferry engine', stdio: 'inherit' });
    const current = child;
    link = linkEngine(
      {
        post: (message) => current.postMessage(message),
        onMessage: (listener) => {
          current.on('message', listener);
          return () => current.off('message', listener);
        },
      },
      {
        ...options,
        // Stuck: killed, and the exit below starts another.
        unresponsive: () => {
          console.error("Ferry's engine stopped answering; starting it again.");
          current.kill();
          const { pid } = current;
          // A process stuck in native code may not heed SIGTERM.
          if (pid !== undefined) setTimeout(() => killHard(pid), 2_000).unref();
        },
      },
    );
    current.once('exit', (code) => {
      link.close();
      if (stopping) return;
      crashes = Date.now() - startedAt > STABLE_MS ? 0 : crashes + 1;
      const delay = crashes === 0 ? 0 : backoffDelay(crashes - 1, Math.random());
      console.error(`Ferry's engine stopped (exit code ${code}); starting it again in ${delay} ms.`);
      setTimeout(() => {
        if (stopping) return;
        start();
        connect();
      }, delay);
    });
  };
  start();
  return {
    grantPaths: (paths) => link.grantPaths(paths),
    connectWindow: (next) => {
      window = next;
      connect();
    },
    stop: () => {
      stopping = true;
      link.close();
      child.kill();
    },
  };
}

function killHard(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
