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
          sequence: { groupOrder: 0 },
          include: ['src-*/**/*.test.ts', 'signaling-server/src/**/*.test.ts', 'tools/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'e2e/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          // The lab's tests start browsers and namespaces: one at a time, after the unit tests.
          sequence: { groupOrder: 1 },
          include: ['e2e/**/*.integration.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['e2e/**/*.e2e.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
