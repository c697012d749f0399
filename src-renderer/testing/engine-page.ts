/*
 * The engine in a Chromium page, on Chromium's WebRTC: PeerJS from the page, files as Blobs from
 * the page's inputs, received files through main's download sink (the receive* IPC, over the
 * lab's stand-in for Electron IPC). Hosted as the Node host hosts it (src-node/engine-host): its
 * main (settings, the identity key that signs sessions) and its view are across ports — here both
 * are the test, over one Playwright binding. The conformance suite drives it like any engine.
 * Test page only: built by e2e/conformance-page.vite.config.ts, never part of the app.
 */
import { type DataConnection, Peer } from 'peerjs';
import { createHashWasmHasherFactory, FerryError, sdpFingerprints } from '../../src-core/index';
import { type CreateSignalingPeer, Engine, type EngineStart, type FerrySettings, type SignalingPeerPort } from '../../src-engine/index';
import { deviceOverPort, READY_NOTE, SETTINGS_NOTE, START_NOTE } from '../../src-engine/remote/device-protocol';
import type { PortLike } from '../../src-engine/remote/port';
import { RpcPeer } from '../../src-engine/remote/rpc';
import { serveEngine } from '../../src-engine/remote/serve-engine';
import { browserFetchJson } from '../browser-fetch-json';
import { browserRuntime } from '../browser-runtime';
import { BlobSource, manifestFromItems } from '../files/blob-source';
import { IpcFileSink } from '../files/ipc-sink';

/** A message on the line to the test: for the engine's main, or for its view. */
type Envelope = { port: 'main' | 'view'; message: unknown };
type Picked = { path: string; file: File } | { path: string; directory: true };

declare global {
  interface Window {
    /** The test's binding: every message from the page to the test. */
    __ferryTestOut?: (envelope: Envelope) => Promise<void>;
    __ferryEnginePage?: typeof enginePage;
  }
}

const listeners: Record<Envelope['port'], Set<(message: unknown) => void>> = { main: new Set(), view: new Set() };
/** What the page said before the test's binding was in place. */
const waiting: Envelope[] = [];
let connected = false;

function send(envelope: Envelope): void {
  if (connected && window.__ferryTestOut) void window.__ferryTestOut(envelope);
  else waiting.push(envelope);
}

function portTo(name: Envelope['port']): PortLike {
  return {
    post: (message) => send({ port: name, message }),
    onMessage: (listener) => {
      listeners[name].add(listener);
      return () => listeners[name].delete(listener);
    },
  };
}

/** What a person picked, by the absolute path the test named it by: the only files sent. */
const picked = new Map<string, Picked[]>();

const main = new RpcPeer(portTo('main'));
const device = deviceOverPort(main);
// PeerJS's Peer and DataConnection fit the engine's ports structurally but for their event
// emitter's typing: the one cast, at the edge.
const createPeer: CreateSignalingPeer = (id, options) => {
  const peer = new Peer(id, options);
  // Diagnostics for the test's log: a connection whose descriptions carry no DTLS fingerprint.
  const watch = (connection: DataConnection) =>
    connection.on('open', () => {
      const pc = connection.peerConnection;
      const local = pc?.localDescription?.sdp ?? '';
      const remote = pc?.remoteDescription?.sdp ?? '';
      if (sdpFingerprints(local).length === 0 || sdpFingerprints(remote).length === 0) {
        console.warn(`engine page: ${connection.connectionId} opened without fingerprints; signaling ${pc?.signalingState}; local ${JSON.stringify(local)}; remote ${JSON.stringify(remote)}`);
      }
    });
  peer.on('connection', watch);
  const connect = peer.connect.bind(peer);
  peer.connect = (...args: Parameters<Peer['connect']>) => {
    const connection = connect(...args);
    if (connection) watch(connection);
    return connection;
  };
  return peer as unknown as SignalingPeerPort;
};
const engine = new Engine({
  runtime: browserRuntime,
  createHasher: await createHashWasmHasherFactory(),
  createPeer,
  device,
  downloads: {
    // Main's sink checks the space itself when it prepares the folder (receiveStart).
    checkSpace: async () => ({ fits: true, availableBytes: Number.MAX_SAFE_INTEGER, downloadDir: await device.downloadDir() }),
    openSink: (offer, saved) =>
      IpcFileSink.open(offer, (fileIndex, path) => {
        void device.fileSaved(path).catch(() => {});
        saved(fileIndex, path);
      }),
  },
  fetchJson: browserFetchJson,
});
let started = false;
main.onNote(START_NOTE, (start) => {
  if (started) return;
  started = true;
  engine.start(start as EngineStart);
});
main.onNote(SETTINGS_NOTE, (settings) => void engine.settingsChanged(settings as FerrySettings));
serveEngine(engine, portTo('view'), {
  filesOf: async (paths) => {
    const items = paths.map((path) => picked.get(path));
    if (items.some((i) => i === undefined)) throw new FerryError('SOURCE_FAILED', 'Ferry sends only files and folders you picked or dropped; this one was neither.');
    const { entries, blobs } = manifestFromItems((items as Picked[][]).flat());
    return { entries, source: new BlobSource(blobs) };
  },
});

const enginePage = {
  /** The test's binding is in place: what waited goes out. */
  connect(): void {
    connected = true;
    for (const envelope of waiting.splice(0)) void window.__ferryTestOut?.(envelope);
  },
  /** A message from the test. */
  receive(envelope: Envelope): void {
    for (const listener of [...listeners[envelope.port]]) listener(envelope.message);
  },
  /**
   * A person picked `path` with an input (the test set its files): a file, or a folder with its
   * files (relative paths from the picker) and its empty folders, which a folder picker does not
   * report but a drop does (the test names them, as a drop's entries would).
   */
  stage(path: string, input: 'files' | 'folder', emptyFolders: string[]): number {
    const element = document.getElementById(input) as HTMLInputElement;
    const files = [...(element.files ?? [])];
    element.value = '';
    const items: Picked[] =
      input === 'files'
        ? files.map((file) => ({ path: file.name, file }))
        : [...files.map((file) => ({ path: file.webkitRelativePath, file })), ...emptyFolders.map((folder) => ({ path: folder, directory: true as const }))];
    picked.set(path, items);
    return items.length;
  },
};

window.__ferryEnginePage = enginePage;
main.note(READY_NOTE, null);
