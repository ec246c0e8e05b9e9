import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The examples import the package by its name, as users do; this points it at the sources.
export default mergeConfig(
  shared,
  defineConfig({
    resolve: { alias: { '@cemaf/fallback': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  }),
);
