import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { standardDecorators } from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    plugins: [standardDecorators],
    test: {
      // The demos' logic lives beside the theme; the site's end-to-end test builds and serves it.
      include: ['.vitepress/**/*.test.ts'],
      exclude: ['**/node_modules/**', '.vitepress/cache/**'],
    },
  }),
);
