import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * Builds the browser page (src-web) into out/web, which the signaling server serves at / with
 * --web-page (the app's built-in server always). Its service worker is built beside it
 * (web-worker.vite.config.ts) as one classic script, sw.js.
 */
const root = import.meta.dirname;

export default defineConfig({
  root: resolve(root, 'src-web'),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: resolve(root, 'out/web'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: resolve(root, 'src-web/index.html') },
  },
});
