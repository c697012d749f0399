import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Import boundaries (see ../shared/ARCHITECTURE.md, "What may import what"). The compiler
 * enforces the runtimes (each part's tsconfig); these rules enforce who may import whom.
 */
const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'stream', 'events', 'url', 'util', 'worker_threads'];

const boundary = (message, ...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map((group) => ({ group, message })) }],
});

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'signaling-server/dist/', 'test-results/', '.tsbuild/'],
  },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]",
          message: 'Focused tests silence the rest of the suite.',
        },
      ],
    },
  },
  {
    files: ['src-core/**/*.ts'],
    ignores: ['src-core/**/*.test.ts'],
    rules: boundary(
      'src-core is the pure protocol: it imports nothing of ours outside src-core, and no platform (DOM, Node, Electron, React).',
      ['**/src-main/**', '**/src-renderer/**', '**/signaling-server/**', '**/e2e/**'],
      [...NODE_BUILTINS, 'electron', 'electron/*', 'react', 'react/*', 'react-dom', 'react-dom/*', 'peerjs', 'peer', 'ws'],
    ),
  },
  {
    files: ['src-engine/**/*.ts'],
    ignores: ['src-engine/**/*.test.ts', 'src-engine/**/testing/**'],
    rules: boundary(
      'The engine imports only src-core: WebRTC, files, sockets, timers, storage and signing reach it as ports, never as DOM, Node or Electron.',
      ['**/src-main/**', '**/src-renderer/**', '**/src-node/**', '**/signaling-server/**', '**/e2e/**'],
      [...NODE_BUILTINS, 'electron', 'electron/*', 'react', 'react/*', 'react-dom', 'react-dom/*', 'peerjs', 'peer', 'ws', 'node-datachannel', 'node-datachannel/*', '@roamhq/wrtc'],
    ),
  },
  {
    files: ['src-node/**/*.ts'],
    rules: boundary(
      'The Node host runs the engine: it imports src-core and src-engine, never main, the window or Electron.',
      ['**/src-main/**', '**/src-renderer/**', '**/e2e/**'],
      ['electron', 'electron/*', 'react', 'react/*', 'react-dom', 'react-dom/*'],
    ),
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'src-main/(?!preload/api(\\.js)?$)',
              message: 'The renderer never imports main; it may import the preload API types only (src-main/preload/api).',
            },
            {
              group: ['**/signaling-server/**', '**/e2e/**', ...NODE_BUILTINS, 'electron', 'electron/*'],
              message: 'The renderer runs in a sandboxed page: no Node, no Electron, no server code.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src-main/preload/api', '**/src-main/preload/api.js'],
              allowTypeImports: true,
              message: 'Only types may come from the preload API.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    rules: boundary(
      'Main never imports renderer code.',
      ['**/src-renderer/**', '**/e2e/**'],
    ),
  },
  {
    files: ['src-web/**/*.ts'],
    ignores: ['src-web/**/*.test.ts'],
    rules: boundary(
      'The browser page runs in any browser: the engine, the core and the DOM, never Node, Electron, main or the Node host.',
      ['**/src-main/**', '**/src-node/**', '**/src-cli/**', '**/signaling-server/**', '**/e2e/**'],
      [...NODE_BUILTINS, 'electron', 'electron/*', 'node-datachannel', 'node-datachannel/*', 'ws'],
    ),
  },
  {
    files: ['src-cli/**/*.ts'],
    rules: boundary(
      'The CLI runs in plain Node: the engine, the Node host and main\'s Electron-free services, never Electron, the window or what needs them.',
      ['**/src-renderer/**', '**/e2e/**', '**/src-main/index*', '**/src-main/desktop/electron-*', '**/src-main/identity/safe-storage-*', '**/src-main/preload/**', '**/src-main/ipc/**', '**/src-main/engine/engine-process*'],
      ['electron', 'electron/*', 'react', 'react/*', 'react-dom', 'react-dom/*'],
    ),
  },
  {
    files: ['src-main/preload/**/*.ts'],
    ignores: ['src-main/preload/**/*.test.ts'],
    rules: boundary(
      'The sandboxed preload may require only electron and its own files.',
      ['**/src-renderer/**', '**/signaling-server/**', '../ipc/*', '../security/*', '../signaling/*', ...NODE_BUILTINS, 'zod'],
    ),
  },
  {
    files: ['signaling-server/**/*.ts'],
    rules: boundary(
      'The signaling server stands alone: it imports no app code.',
      ['**/src-core/**', '**/src-main/**', '**/src-renderer/**', '**/e2e/**'],
    ),
  },
);
