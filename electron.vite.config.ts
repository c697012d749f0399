import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { buildContentSecurityPolicy } from './src-main/security/csp';

/**
 * The built window carries its CSP in a <meta> as well as in main's response header: a file://
 * page's headers pass through webRequest only as far as Electron lets them. Built only (the dev
 * server's React refresh needs what the policy forbids; main's header covers it, loosened).
 * frame-ancestors is left to the header: a <meta> policy cannot carry it.
 */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'ferry-csp-meta',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${buildContentSecurityPolicy({ connectTo: [] }).replace("; frame-ancestors 'none'", '')}" />`),
  };
}

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // main, and the engine it forks into a utility process (out/main/engine.js).
      lib: { entry: { index: resolve(root, 'src-main/index.ts'), engine: resolve(root, 'src-node/engine-host/utility-entry.ts') }, formats: ['es'] },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Sandboxed preloads cannot require anything but `electron`: one self-contained CJS file.
      externalizeDeps: false,
      lib: { entry: resolve(root, 'src-main/preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    // Relative asset URLs so the packaged app can load index.html from file://.
    base: './',
    plugins: [react(), contentSecurityPolicyMeta()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
});
