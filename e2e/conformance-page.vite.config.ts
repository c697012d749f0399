import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Builds the engine test page (src-renderer/testing: the engine on Chromium's WebRTC) into out/test-pages. Never shipped. */
const root = resolve(import.meta.dirname, '..');

export default defineConfig({
  root: resolve(root, 'src-renderer/testing'),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: resolve(root, 'out/test-pages'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: resolve(root, 'src-renderer/testing/engine-page.html') },
  },
});
