import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The examples import '@cemaf/circuit-breaker-redis' as users do; tests run them against the
// sources. Tests start real redis-server processes and wait in real time: generous timeouts, one
// file at a time so that servers and child processes do not compete for the 2 cores.
export default mergeConfig(
  shared,
  defineConfig({
    resolve: {
      alias: { '@cemaf/circuit-breaker-redis': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    },
    test: { testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false, globalSetup: ['./test/global-setup.ts'] },
  }),
);
