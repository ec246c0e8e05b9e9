/**
 * Bundle size of a minimal use: `esbuild --bundle --minify --format=esm --platform=browser` of a
 * module that re-exports what a user imports, then gzip -9. A package that cannot be bundled
 * for the browser as is gets its row marked so, with the size of what it ships for browsers.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { loadCemaf } from '../cemaf.mjs';

const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));

export const SIZE_GROUPS = [
  {
    id: 'retry',
    title: 'Retry',
    rows: [
      { id: 'size.cemaf-retry', lib: 'cemaf', code: `export { RetryPolicy } from '@cemaf/retry';`, needs: ['retry'] },
      { id: 'size.cockatiel-retry', lib: 'cockatiel', code: `export { retry, handleAll, ExponentialBackoff } from 'cockatiel';` },
      { id: 'size.p-retry', lib: 'p-retry', code: `export { default } from 'p-retry';` },
      { id: 'size.exponential-backoff', lib: 'exponential-backoff', code: `export { backOff } from 'exponential-backoff';` },
    ],
  },
  {
    id: 'breaker',
    title: 'Circuit breaker',
    rows: [
      { id: 'size.cemaf-breaker', lib: 'cemaf', code: `export { CircuitBreaker } from '@cemaf/circuit-breaker';`, needs: ['breaker'] },
      {
        id: 'size.cockatiel-breaker',
        lib: 'cockatiel',
        code: `export { circuitBreaker, handleAll, ConsecutiveBreaker } from 'cockatiel';`,
      },
      {
        id: 'size.opossum',
        lib: 'opossum',
        code: `export { default } from 'opossum';`,
        // opossum requires Node's 'events'; browsers get its prebuilt bundle instead.
        browserFallback: { code: `export { default } from 'opossum/dist/opossum.min.js';`, note: 'its browser bundle `opossum/dist/opossum.min.js`' },
      },
    ],
  },
  {
    id: 'limiter',
    title: 'Rate limiter',
    rows: [
      { id: 'size.cemaf-limiter', lib: 'cemaf', code: `export { RateLimiter } from '@cemaf/rate-limiter';`, needs: ['limiter'] },
      { id: 'size.limiter', lib: 'limiter', code: `export { RateLimiter } from 'limiter';` },
      { id: 'size.p-throttle', lib: 'p-throttle', code: `export { default } from 'p-throttle';` },
      { id: 'size.bottleneck', lib: 'bottleneck', code: `export { default } from 'bottleneck';` },
      {
        id: 'size.rate-limiter-flexible',
        lib: 'rate-limiter-flexible',
        code: `export { default } from 'rate-limiter-flexible/lib/RateLimiterMemory.js';`,
        note: 'deep import of `lib/RateLimiterMemory.js`',
      },
    ],
  },
  {
    id: 'pipeline',
    title: 'Retry + breaker + limiter composed',
    rows: [
      {
        id: 'size.cemaf-pipeline',
        lib: 'cemaf',
        code: [
          `export { pipeline } from '@cemaf/core';`,
          `export { RetryPolicy } from '@cemaf/retry';`,
          `export { CircuitBreaker } from '@cemaf/circuit-breaker';`,
          `export { RateLimiter } from '@cemaf/rate-limiter';`,
        ].join('\n'),
        needs: ['core', 'retry', 'breaker', 'limiter'],
      },
      {
        id: 'size.cockatiel-wrap',
        lib: 'cockatiel',
        code: `export { wrap, retry, circuitBreaker, handleAll, ConsecutiveBreaker, ExponentialBackoff } from 'cockatiel';`,
        note: 'no rate limiter in cockatiel',
      },
    ],
  },
  {
    id: 'timeout',
    title: 'Timeout',
    rows: [
      { id: 'size.cemaf-timeout', lib: 'cemaf', code: `export { TimeoutPolicy } from '@cemaf/timeout';`, needs: ['timeout'] },
      { id: 'size.cockatiel-timeout', lib: 'cockatiel', code: `export { timeout, TimeoutStrategy } from 'cockatiel';` },
    ],
  },
  {
    id: 'fallback',
    title: 'Fallback',
    rows: [
      { id: 'size.cemaf-fallback', lib: 'cemaf', code: `export { FallbackPolicy } from '@cemaf/fallback';`, needs: ['fallback'] },
      { id: 'size.cockatiel-fallback', lib: 'cockatiel', code: `export { fallback, handleAll } from 'cockatiel';` },
    ],
  },
  {
    id: 'core',
    title: 'Core',
    rows: [{ id: 'size.cemaf-core', lib: 'cemaf', code: `export { pipeline } from '@cemaf/core';`, needs: ['core'] }],
  },
];

/** Minified and gzip -9 bytes of `code` bundled for the browser. */
export async function bundleSize(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: BENCH_DIR, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

export async function measure() {
  const cemaf = await loadCemaf();
  const groups = [];
  for (const group of SIZE_GROUPS) {
    const rows = [];
    for (const row of group.rows) {
      const missing = (row.needs ?? []).filter((name) => !cemaf[name]);
      if (missing.length > 0) {
        rows.push({ id: row.id, lib: row.lib, code: row.code, skipped: missing });
        continue;
      }
      try {
        rows.push({ id: row.id, lib: row.lib, code: row.code, note: row.note, ...(await bundleSize(row.code)) });
      } catch (error) {
        if (!row.browserFallback) throw error;
        const reason = error.errors?.[0]?.text ?? String(error);
        rows.push({
          id: row.id,
          lib: row.lib,
          code: row.browserFallback.code,
          note: `does not bundle for the browser as is (${reason}); measured: ${row.browserFallback.note}`,
          ...(await bundleSize(row.browserFallback.code)),
        });
      }
    }
    groups.push({ id: group.id, title: group.title, rows });
  }
  return { groups };
}
