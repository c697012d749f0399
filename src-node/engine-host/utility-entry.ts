/*
 * The engine as the desktop app runs it: in an Electron utility process that main forks
 * (src-main/engine/engine-process.ts). Main's services come over the process's parentPort; each
 * window gets its own MessagePort to the engine, handed over as a { t: 'view-port' } message.
 * Electron's objects are typed structurally here: the Node host never imports Electron.
 */
import type { PortLike } from '../../src-engine/remote/port.js';
import { runEngineHost } from './run-engine-host.js';
import { logInsteadOfCrashing } from './uncaught.js';

interface MessagePortMainLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The message main sends with a window's port. */
export const VIEW_PORT_MESSAGE = 'view-port';

logInsteadOfCrashing((message) => console.error(message));
const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parentPort) throw new Error('The engine runs in an Electron utility process (process.parentPort is missing).');

const main: PortLike = {
  post: (message) => parentPort.postMessage(message),
  onMessage: (listener) => {
    parentPort.on('message', (event) => listener(event.data));
    return () => {};
  },
};
const starting = runEngineHost(main);

// Listening for windows' ports from the start: parentPort queues messages only until its first
// listener (the host's, attached above), so a window that loads while the engine still starts
// would otherwise lose its port. The port keeps the window's messages until it is started.
// One window, one view: a new port (the window loaded again) replaces the one before, whose page
// is gone (its port may never say so).
let current: { port: MessagePortMainLike; served: Promise<{ close(): void }> } | undefined;
parentPort.on('message', ({ data, ports }) => {
  const port = ports[0];
  if (!port || (data as { t?: unknown } | null)?.t !== VIEW_PORT_MESSAGE) return;
  if (current) {
    void current.served.then((served) => served.close());
    current.port.close();
  }
  // Started once the view listens: a started port hands its messages to the listeners it has then.
  const served = starting.then((host) => {
    const view = host.serveView({
      post: (message) => port.postMessage(message),
      onMessage: (listener) => {
        port.on('message', (event) => listener(event.data));
        return () => {};
      },
    });
    port.start();
    return view;
  });
  const mine = { port, served };
  current = mine;
  port.on('close', () => {
    void served.then((view) => view.close());
    if (current === mine) current = undefined;
  });
});

// Main quitting ends the utility process: close the connections first (TURN allocations go, peers hear it).
process.on('SIGTERM', () => void starting.then((host) => host.stop()).finally(() => process.exit(0)));
