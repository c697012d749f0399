import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * Builds `ferry`, the command line peer, into out/cli/ferry.js: one Node ESM file with our code
 * bundled and every package left to node_modules (node-datachannel's native binary with them).
 */
const root = import.meta.dirname;

export default defineConfig({
  logLevel: 'warn',
  build: {
    ssr: resolve(root, 'src-cli/bin.ts'),
    outDir: resolve(root, 'out/cli'),
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rollupOptions: { output: { entryFileNames: 'ferry.js', format: 'es' } },
  },
});
