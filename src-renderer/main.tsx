import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { browserRuntime } from './browser-runtime';
import { AppStore } from './state/store';
import { call, ferryApi } from './platform';
import { createHashWasmHasherFactory } from '../src-core/index';
import './styles.css';

// The digests' WebAssembly is compiled once, before any connection can need it.
const store = new AppStore(browserRuntime, await createHashWasmHasherFactory());

async function boot(): Promise<void> {
  try {
    const api = ferryApi();
    const [device, config, settings, downloadDir, identity] = await Promise.all([
      call(api.getDeviceInfo()),
      call(api.getSignalingConfig()),
      call(api.getSettings()),
      call(api.getDownloadDir()),
      call(api.getIdentity()),
    ]);
    store.start(device, config, settings, downloadDir, identity);
  } catch (error) {
    store.fail(error instanceof Error ? error.message : String(error));
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
window.addEventListener('beforeunload', () => store.stop());
void boot();
