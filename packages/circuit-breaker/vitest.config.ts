import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The examples import '@cemaf/circuit-breaker' as users do; tests run them against the sources.
export default mergeConfig(
  shared,
  defineConfig({
    resolve: {
      alias: { '@cemaf/circuit-breaker': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    },
  }),
);
