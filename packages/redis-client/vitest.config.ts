import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The examples import '@cemaf/redis-client' as users do; tests run them against the sources.
// Some tests run against a real redis-server (test/global-setup.ts starts one for the run).
export default mergeConfig(
  shared,
  defineConfig({
    resolve: {
      alias: { '@cemaf/redis-client': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    },
    test: { testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false, globalSetup: ['./test/global-setup.ts'] },
  }),
);
