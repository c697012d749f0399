import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The browser page's service worker (src-web/worker), as out/web/sw.js: one classic script, no imports. */
const root = import.meta.dirname;

export default defineConfig({
  logLevel: 'warn',
  build: {
    outDir: resolve(root, 'out/web'),
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: resolve(root, 'src-web/worker/download-worker.ts'), formats: ['iife'], name: 'ferryDownloadWorker', fileName: () => 'sw.js' },
  },
});
