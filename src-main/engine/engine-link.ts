import type { EngineStart } from '../../src-engine/index.js';
import { READY_NOTE, serveDevice, SETTINGS_NOTE, START_NOTE } from '../../src-engine/remote/device-protocol.js';
import type { HistoryStore } from '../files/history-store.js';
import type { OutgoingStore } from '../files/outgoing-store.js';
import type { PortLike } from '../../src-engine/remote/port.js';
import type { MainServices } from '../ipc/dispatcher.js';
import type { SettingsStore } from '../settings/store.js';
import { engineDeviceServices, engineStart } from './device-services.js';

/** How often main asks whether the engine still answers, and how long an answer may take. */
export const WATCHDOG = { everyMs: 5_000, answerWithinMs: 15_000 };

export interface EngineLink {
  /** Tells the engine which paths it may send; settles once the engine has them. */
  grantPaths(paths: string[]): Promise<unknown>;
  onNote(name: string, listener: (value: unknown) => void): () => void;
  close(): void;
}

/**
 * Main's side of the engine's process, whatever runs it (Electron's utility process in the app,
 * a child process in the lab): main's services served to it, checked; the start sent once it
 * listens; settings changes passed on.
 */
export function linkEngine(
  port: PortLike,
  options: {
    services: MainServices;
    settings: SettingsStore;
    savedPaths: Set<string>;
    /**
     * The engine stopped answering (its JavaScript is stuck: libdatachannel can deadlock its own
     * threads under a TURN relay, and every connection of the process waits with them). The
     * caller ends the process; its supervisor starts a new one.
     */
    unresponsive?: () => void;
    watchdog?: { everyMs: number; answerWithinMs: number };
    /** Unfinished outgoing transfers, kept across restarts (absent: not kept). */
    outgoing?: OutgoingStore;
    /** The history of ended transfers, kept across restarts (absent: not kept). */
    history?: HistoryStore;
  },
): EngineLink {
  const rpc = serveDevice(port, engineDeviceServices(options.services, options.savedPaths, options));
  const watchdog = options.watchdog ?? WATCHDOG;
  let lastAnswer = Date.now();
  let reported = false;
  const timer = setInterval(() => {
    if (reported) return;
    if (Date.now() - lastAnswer > watchdog.answerWithinMs) {
      reported = true;
      options.unresponsive?.();
      return;
    }
    rpc.call('ping').then(
      () => (lastAnswer = Date.now()),
      () => {},
    );
  }, watchdog.everyMs);
  timer.unref();
  let start: Promise<EngineStart> | undefined;
  rpc.onNote(READY_NOTE, () => {
    start ??= engineStart(options.services, options);
    void start.then(async (value) => {
      // Files the history lists were saved by Ferry: "Show in folder" may reveal them.
      for (const entry of value.history ?? []) for (const path of entry.savedPaths) options.savedPaths.add(path);
      // What it was sending when it last ran: main granted those paths then, and grants them again.
      const paths = [...new Set((value.outgoing ?? []).flatMap((r) => r.paths))];
      if (paths.length) await rpc.call('grantPaths', [paths]).catch(() => {});
      rpc.note(START_NOTE, value);
    });
  });
  const stopSettings = options.settings.onChange((next) => rpc.note(SETTINGS_NOTE, next));
  return {
    grantPaths: (paths) => rpc.call('grantPaths', [paths]),
    onNote: (name, listener) => rpc.onNote(name, listener),
    close: () => {
      clearInterval(timer);
      stopSettings();
      rpc.close();
    },
  };
}
