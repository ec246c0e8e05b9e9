import { transform } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * For tests of code with TC39 standard decorators (`@withRetry`...): Node 20 cannot run them yet,
 * and Vite's own TypeScript transform leaves them as written, so esbuild lowers them first, as
 * tsc does for users who target ES2022.
 */
export const standardDecorators: Plugin = {
  name: 'standard-decorators',
  enforce: 'pre',
  async transform(code, id) {
    if (!id.endsWith('.ts') || !code.includes('@with')) return null;
    const result = await transform(code, { loader: 'ts', target: 'es2022', sourcemap: true, sourcefile: id });
    return { code: result.code, map: result.map };
  },
};

/**
 * The test setup every workspace package shares. Results also go to .test-results/vitest.json,
 * which the root test command sums into one "N passed, N failed" line.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    typecheck: {
      enabled: true,
      include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    restoreMocks: true,
    // Turbo runs every package's suite at once: on a loaded 2-core machine a property test that
    // takes 1 s alone can take 10. Tests never wait for real time, so a long limit hides nothing.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
