import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { browserRuntime } from './browser-runtime';
import { Engine } from '../src-engine/index';
import { createWindowPeer, peerJsDebugLevel, windowDevicePort, windowDownloadsPort, windowFetchJson } from './engine-host/window-ports';
import { FerryView } from './state/view';
import { call, ferryApi } from './platform';
import { createHashWasmHasherFactory } from '../src-core/index';
import './styles.css';

// The digests' WebAssembly is compiled once, before any connection can need it.
const engine = new Engine({
  runtime: browserRuntime,
  createHasher: await createHashWasmHasherFactory(),
  createPeer: createWindowPeer,
  device: windowDevicePort,
  downloads: windowDownloadsPort,
  fetchJson: windowFetchJson,
  peerJsDebug: peerJsDebugLevel(),
});
const view = new FerryView(engine);

async function boot(): Promise<void> {
  try {
    const api = ferryApi();
    const [device, signaling, settings, downloadDir, identity] = await Promise.all([
      call(api.getDeviceInfo()),
      call(api.getSignalingConfig()),
      call(api.getSettings()),
      call(api.getDownloadDir()),
      call(api.getIdentity()),
    ]);
    engine.start({ device, signaling, settings, downloadDir, identity });
  } catch (error) {
    engine.fail(error instanceof Error ? error.message : String(error));
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App store={view} />
  </StrictMode>,
);
// The network came back: skip the signaling backoff wait.
window.addEventListener('online', () => engine.retrySignalingNow());
window.addEventListener('beforeunload', () => engine.stop());
void boot();
