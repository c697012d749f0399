import { defineConfig } from 'vitest/config';

/*
 * One runner, three projects. Unit tests sit beside the code; integration and e2e tests live in
 * e2e/ and run serially because they build network namespaces and start browsers.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src-*/**/*.test.ts', 'signaling-server/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'e2e/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['e2e/**/*.integration.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
