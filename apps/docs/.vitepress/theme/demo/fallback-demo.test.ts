import { describe, expect, it } from 'vitest';
import { runFallbackDemo } from './fallback-demo.ts';

describe('runFallbackDemo', () => {
  it('answers every call from the service when nothing fails', async () => {
    const result = await runFallbackDemo({ failureRate: 0, latency: 100, seed: 1, enabled: true });
    expect(result).toMatchObject({ fresh: 10, fallback: 0, errors: 0, fallbackEvents: 0 });
    expect(result.answers).toEqual(Array<string>(10).fill('fresh'));
  });

  it('replaces every failure with the last known price', async () => {
    const result = await runFallbackDemo({ failureRate: 1, latency: 100, seed: 1, enabled: true });
    expect(result).toMatchObject({ fresh: 0, fallback: 10, errors: 0, fallbackEvents: 10 });
    for (const row of result.rows) {
      expect(row.spans.map((span) => span.kind)).toEqual(['failed', 'fallback']);
      expect(row.spans[1]!.start).toBe(row.spans[0]!.end);
    }
  });

  it('lets the failures reach the callers without it', async () => {
    const result = await runFallbackDemo({ failureRate: 1, latency: 100, seed: 1, enabled: false });
    expect(result).toMatchObject({ fresh: 0, fallback: 0, errors: 10, fallbackEvents: 0 });
    for (const row of result.rows) expect(row.spans.map((span) => span.kind)).toEqual(['failed', 'rejected']);
  });

  it('falls back exactly for the calls that failed, the same ones with or without it', async () => {
    const settings = { failureRate: 0.4, latency: 200, seed: 6 };
    const withIt = await runFallbackDemo({ ...settings, enabled: true });
    const without = await runFallbackDemo({ ...settings, enabled: false });
    expect(withIt.fallback).toBeGreaterThan(0);
    expect(withIt.fresh).toBeGreaterThan(0);
    expect(withIt.answers.map((answer) => (answer === 'fallback' ? 'error' : answer))).toEqual(without.answers);
  });
});
