import { describe, expect, it } from 'vitest';
import { mostInOneWindow } from './limit-rules.ts';
import { algorithms, arrivals, bucketCount, fixedCount, fixedWindows, runRateLimiterDemo, slidingCount } from './rate-limiter-demo.ts';
import { seededRandom } from './random.ts';

const admissionsOf = (calls: readonly { admitted: number | undefined }[]) =>
  calls.flatMap((call) => (call.admitted === undefined ? [] : [call.admitted]));

describe('mostInOneWindow', () => {
  const settings = { maxCalls: 2, timeWindow: 1_000 };

  it('counts any interval of the window for the sliding window', () => {
    expect(mostInOneWindow('sliding-window', [0, 600, 999, 1_000, 1_599], settings)).toBe(4); // [600, 1600)
    expect(mostInOneWindow('sliding-window', [0, 600, 1_000, 1_600], settings)).toBe(2);
  });

  it('counts per window for the fixed window, each opening at the first permit after the last one ended', () => {
    // Windows [0, 1000) and [1000, 2000): two each, though 999 and 1000 are 1 ms apart.
    expect(mostInOneWindow('fixed-window', [0, 999, 1_000, 1_001], settings)).toBe(2);
    expect(mostInOneWindow('fixed-window', [0, 999, 998], settings)).toBe(3);
  });

  it('counts the tokens taken for the token bucket', () => {
    // Full at 2; one token back every 500 ms.
    expect(mostInOneWindow('token-bucket', [0, 0, 500, 1_000], settings)).toBeCloseTo(2);
    expect(mostInOneWindow('token-bucket', [0, 0, 400], settings)).toBeCloseTo(2.2);
  });
});

describe('the count lines', () => {
  it('slide: a permit counts for one window from when it was taken', () => {
    expect(slidingCount([0, 200], 1_000)).toEqual([
      { at: 0, count: 0 },
      { at: 0, count: 0 },
      { at: 0, count: 1 },
      { at: 200, count: 1 },
      { at: 200, count: 2 },
      { at: 1_000, count: 2 },
      { at: 1_000, count: 1 },
      { at: 1_200, count: 1 },
      { at: 1_200, count: 0 },
    ]);
  });

  it('fixed: windows open at the first permit after the last ended, and count back to zero', () => {
    expect(fixedWindows([0, 300, 1_100, 1_500, 2_050], 1_000)).toEqual([0, 1_100]);
    expect(fixedWindows([0, 300, 1_100, 1_500, 2_150], 1_000)).toEqual([0, 1_100, 2_150]);
    const counts = fixedCount([0, 300, 1_100], 1_000);
    expect(Math.max(...counts.map((point) => point.count))).toBe(2);
    expect(counts[counts.length - 1]).toEqual({ at: 2_100, count: 0 });
  });

  it('bucket: tokens taken slope back down as they refill', () => {
    expect(bucketCount([0, 0], 2, 2, 1_000)).toEqual([
      { at: 0, count: 0 },
      { at: 0, count: 0 },
      { at: 0, count: 1 },
      { at: 0, count: 1 },
      { at: 0, count: 2 },
      { at: 1_000, count: 0 },
    ]);
  });
});

describe('arrivals', () => {
  it('comes at the given load on average, in whole ms, from 0', () => {
    const times = arrivals(1_000, 10, seededRandom(1));
    expect(times[0]).toBe(0);
    expect(times.every((at) => Number.isInteger(at))).toBe(true);
    expect(times[999]! / 999).toBeGreaterThan(90);
    expect(times[999]! / 999).toBeLessThan(110);
  });
});

describe('runRateLimiterDemo', () => {
  it('admits everything at once under the limit', async () => {
    const result = await runRateLimiterDemo({ failureRate: 0, latency: 100, seed: 1, algorithm: 'sliding-window', load: 1, calls: 4 });
    for (const algorithm of algorithms) {
      expect(result.runs[algorithm]).toMatchObject({ atOnce: 4, waited: 0, rejected: 0 });
    }
    expect(result.rows.map((row) => row.spans.map((span) => span.kind))).toEqual([['ok'], ['ok'], ['ok'], ['ok']]);
  });

  it.each([2, 8, 20])('never counts more than the limit in a window, at %i calls a second', async (load) => {
    const result = await runRateLimiterDemo({ failureRate: 0.3, latency: 200, seed: 9, algorithm: 'sliding-window', load });
    for (const algorithm of algorithms) {
      const run = result.runs[algorithm];
      expect(mostInOneWindow(algorithm, admissionsOf(run.calls), { maxCalls: 5, timeWindow: 1_000 })).toBeLessThanOrEqual(5 + 1e-9);
      expect(run.peak).toBeLessThanOrEqual(5 + 1e-9);
      expect(run.atOnce + run.waited + run.rejected).toBe(30);
    }
  });

  it('makes callers wait, then rejects them, as the load rises', async () => {
    const calm = await runRateLimiterDemo({ failureRate: 0, latency: 100, seed: 4, algorithm: 'sliding-window', load: 2 });
    const busy = await runRateLimiterDemo({ failureRate: 0, latency: 100, seed: 4, algorithm: 'sliding-window', load: 20 });
    expect(busy.runs['sliding-window'].waited).toBeGreaterThan(calm.runs['sliding-window'].waited);
    expect(busy.runs['sliding-window'].rejected).toBeGreaterThan(0);
    // A rejected caller's turn was more than maxWait away.
    for (const call of busy.runs['sliding-window'].calls.filter((call) => call.outcome === 'rejected')) {
      expect(call.retryAfter).toBeGreaterThan(1_500);
    }
    // Nobody waits longer than maxWait.
    for (const call of busy.runs['sliding-window'].calls) {
      if (call.admitted !== undefined) expect(call.admitted - call.arrival).toBeLessThanOrEqual(1_500);
    }
  });

  it('spends a permit whether the call then fails or not: the failure rate changes no admission', async () => {
    const settings = { latency: 100, seed: 4, algorithm: 'token-bucket' as const, load: 12 };
    const healthy = await runRateLimiterDemo({ ...settings, failureRate: 0 });
    const failing = await runRateLimiterDemo({ ...settings, failureRate: 1 });
    for (const algorithm of algorithms) {
      expect(admissionsOf(failing.runs[algorithm].calls)).toEqual(admissionsOf(healthy.runs[algorithm].calls));
    }
    expect(failing.rows.flatMap((row) => row.spans).some((span) => span.kind === 'ok')).toBe(false);
  });

  it('shows the chosen algorithm, with its windows for the fixed window', async () => {
    const result = await runRateLimiterDemo({ failureRate: 0, latency: 100, seed: 2, algorithm: 'fixed-window', load: 10 });
    const admitted = result.rows.flatMap((row) => row.spans.filter((span) => span.kind === 'ok').map((span) => span.start));
    expect(admitted).toEqual(admissionsOf(result.runs['fixed-window'].calls));
    expect(result.markers.map((marker) => marker.at)).toEqual(result.runs['fixed-window'].windows);
    expect(result.markers.length).toBeGreaterThan(1);
  });
});
