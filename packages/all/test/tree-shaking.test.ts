import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Minified browser bundle of `source`, resolved from this package as a user's code would be. */
async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

describe('@cemaf/all tree-shaking', () => {
  it.each([
    ['RetryPolicy', '@cemaf/retry'],
    ['CircuitBreaker', '@cemaf/circuit-breaker'],
    ['RateLimiter', '@cemaf/rate-limiter'],
    ['TimeoutPolicy', '@cemaf/timeout'],
    ['FallbackPolicy', '@cemaf/fallback'],
  ])('a bundle of %s from @cemaf/all is no bigger than one from %s', async (name, home) => {
    const fromAll = await bundle(`export { ${name} } from '@cemaf/all';`);
    const fromHome = await bundle(`export { ${name} } from '${home}';`);
    expect(fromAll.length).toBeLessThanOrEqual(fromHome.length);
    expect(fromAll).toContain('execute');
  });

  it('a bundle of one decorator leaves the other policies out', async () => {
    const code = await bundle(`export { withRetry } from '@cemaf/all';`);
    expect(code).toContain('RetryPolicy');
    for (const absent of ['CircuitBreaker', 'RateLimiter', 'TimeoutPolicy', 'FallbackPolicy']) {
      expect(code).not.toContain(absent);
    }
  });
});
