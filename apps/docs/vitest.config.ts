import { transform } from 'esbuild';
import { defineConfig, mergeConfig, type Plugin } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Node 20 cannot run TC39 decorators yet, and Vite's own TypeScript transform leaves them as
// written: lower them with esbuild first (examples/decorators.ts), as tsc does for users who
// target ES2022.
const standardDecorators: Plugin = {
  name: 'standard-decorators',
  enforce: 'pre',
  async transform(code, id) {
    if (!id.endsWith('.ts') || !code.includes('@with')) return null;
    const result = await transform(code, { loader: 'ts', target: 'es2022', sourcemap: true, sourcefile: id });
    return { code: result.code, map: result.map };
  },
};

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
