import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Some tests run against a real redis-server (test/global-setup.ts starts one for the run).
export default mergeConfig(
  shared,
  defineConfig({
    test: { testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false, globalSetup: ['./test/global-setup.ts'] },
  }),
);
