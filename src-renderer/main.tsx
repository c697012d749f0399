import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { EngineClient } from '../src-engine/remote/engine-client';
import { FerryView } from './state/view';
import { ferryApi } from './platform';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

try {
  // The window is a view: the engine runs in its own process and pushes its state over a port.
  const api = ferryApi();
  const engine = new EngineClient({ post: (message) => api.engine.post(message), onMessage: (listener) => api.engine.onMessage(listener) });
  const view = new FerryView(engine);
  createRoot(root).render(
    <StrictMode>
      <App store={view} />
    </StrictMode>,
  );
  // The network came back: skip the signaling backoff wait.
  window.addEventListener('online', () => view.retrySignalingNow());
} catch (error) {
  // No bridge to the app (the page opened outside Ferry): say so instead of a blank window.
  const alert = document.createElement('p');
  alert.setAttribute('role', 'alert');
  alert.className = 'error-banner';
  alert.textContent = error instanceof Error ? error.message : String(error);
  root.replaceChildren(alert);
}
